/**
 * API.md is generated (jsii, then jsii-docgen) and committed: it must be what the current public
 * API generates, or users read the reference of another version.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bin, compileLibrary, root } from './support/compiled-library';

test('API.md is what jsii-docgen makes of the current API', () => {
  compileLibrary();
  const generated = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-')), 'API.md');
  execFileSync(bin('jsii-docgen'), ['-o', generated], { cwd: root, stdio: 'pipe' });
  const committed = fs.readFileSync(path.join(root, 'API.md'), 'utf8');
  const stale = fs.readFileSync(generated, 'utf8') !== committed;
  fs.rmSync(path.dirname(generated), { recursive: true, force: true });
  if (stale) throw new Error('API.md is stale: run `npx projen compile && npx projen docgen` and commit it');
}, 180_000);

test('every public type, property, method and constructor parameter is documented, and every optional property has @default', () => {
  compileLibrary(); // the assembly the test above compiled from the current sources
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  const gaps: string[] = [];
  for (const [fqn, type] of Object.entries<any>(assembly.types)) {
    if (!type.docs?.summary) gaps.push(`${fqn}: no summary`);
    for (const p of type.properties ?? []) {
      if (!p.docs?.summary) gaps.push(`${fqn}.${p.name}: no summary`);
      if (type.datatype && p.optional && !p.docs?.default) gaps.push(`${fqn}.${p.name}: optional without @default`);
    }
    for (const m of type.methods ?? []) if (!m.docs?.summary) gaps.push(`${fqn}#${m.name}: no summary`);
    for (const param of type.initializer?.parameters ?? []) if (!param.docs?.summary) gaps.push(`${fqn} constructor ${param.name}: no summary`);
  }
  expect(gaps).toEqual([]);
  const constructs = Object.entries<any>(assembly.types)
    .filter(([, t]) => t.kind === 'class' && t.initializer && /Construct|Resource/.test(JSON.stringify(t.base ?? '')))
    .filter(([, t]) => !t.docs?.example).map(([fqn]) => fqn);
  expect(constructs).toEqual([]);
});
