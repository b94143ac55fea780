/**
 * API.md is generated (jsii, then jsii-docgen) and committed: it must be what the current public
 * API generates, or users read the reference of another version.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

test('API.md is what jsii-docgen makes of the current API', () => {
  execFileSync(bin('jsii'), ['--silence-warnings=reserved-word'], { cwd: root, stdio: 'pipe' });
  const generated = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-')), 'API.md');
  execFileSync(bin('jsii-docgen'), ['-o', generated], { cwd: root, stdio: 'pipe' });
  const committed = fs.readFileSync(path.join(root, 'API.md'), 'utf8');
  const stale = fs.readFileSync(generated, 'utf8') !== committed;
  fs.rmSync(path.dirname(generated), { recursive: true, force: true });
  if (stale) throw new Error('API.md is stale: run `npx projen compile && npx projen docgen` and commit it');
}, 180_000);
