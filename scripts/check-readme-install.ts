/**
 * Runs the README's Install section as written, in a new temporary directory: clone, build and
 * pack the library, then make an app that installs the tarball beside its peers and `cdk synth`s
 * a DatasetGroup. The one change: the clone is of this checkout's HEAD instead of GitHub.
 *
 * It downloads the app's dependencies from the npm registry and takes about two minutes, so it is
 * not part of npm test (test/release/package.test.ts installs the packed tarball offline instead).
 * Run it before a release, or after changing the Install section: `npx projen check:install`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Install'), readme.indexOf('\n## ', readme.indexOf('## Install') + 1));
const blocks = [...section.matchAll(/```(\w+)[^\n]*\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang, code }));
const [build, app] = blocks.filter((b) => b.lang === 'sh').map((b) => b.code);
const appTs = blocks.find((b) => b.lang === 'ts')?.code;
if (!build || !app || !appTs) throw new Error('README Install section: expected two sh blocks and an app.ts block');

const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-install-'));
const script = [
  'set -euo pipefail',
  build.replace(/git clone \S+/, `git clone -q ${JSON.stringify(root)} cdk-datasets && git -C cdk-datasets checkout -q ${head}`),
  app,
  `cat > app.ts <<'APP'\n${appTs}APP`,
  'npx cdk synth --quiet',
  'grep -q Custom::PersonalizeDatasetGroup cdk.out/Recommendations.template.json',
].join('\n');
fs.writeFileSync(path.join(work, 'install.sh'), script);
console.log(`Running the README's Install section in ${work} (install.sh)`);
const started = Date.now();
try {
  execFileSync('bash', ['install.sh'], { cwd: work, stdio: 'inherit' });
} catch {
  console.error(`\nThe README's Install section failed as written; see ${work}`);
  process.exit(1);
}
console.log(`\nThe README's Install section works as written (${Math.round((Date.now() - started) / 1000)} s).`);
fs.rmSync(work, { recursive: true, force: true });
