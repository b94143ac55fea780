/**
 * The `cdk-datasets` command as users get it: the library is packed as npm publishes it, installed
 * into a fresh app (no registry: the tarball, with the app's own aws-cdk-lib and constructs beside
 * it), the app synthesized in two versions (test/fixtures/cli/app.js), and the command run with npx:
 * `plan` between the versions and `rehearse` of the first updated to the second.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packLibrary, root } from '../support/compiled-library';

interface Run { code: number; stdout: string; stderr: string }

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
let app: string;

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: app, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every file under a directory with its size and time: what "nothing written" is checked against. */
function listing(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => path.join(entry.parentPath, entry.name))
    .map((file) => `${path.relative(dir, file)} ${fs.statSync(file).size} ${fs.statSync(file).mtimeMs}`)
    .sort();
}

beforeAll(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-datasets-cli-app-'));
  const { tarball } = packLibrary(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true }));
  // Offline, from the tarball alone: the package needs nothing from the registry.
  execFileSync(npm, ['install', '--offline', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', tarball], { cwd: app, stdio: 'pipe' });
  for (const peer of ['aws-cdk-lib', 'constructs']) fs.symlinkSync(path.join(root, 'node_modules', peer), path.join(app, 'node_modules', peer));
  for (const file of fs.readdirSync(path.join(__dirname, '..', 'fixtures', 'cli'))) {
    fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'cli', file), path.join(app, file));
  }
  // As `cdk synth -o <dir>` would, with the construct paths the CLI adds. Without aws-cdk-lib's
  // template validation (CDK_VALIDATION=false, as `cdk synth --no-validation`): the assemblies are
  // the command's input here, the construct tests validate these templates, and its engine takes
  // 4-5 CPU-s to start in each process.
  const context = JSON.stringify({ 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true });
  for (const version of [1, 2]) {
    execFileSync(process.execPath, ['app.js'], {
      cwd: app,
      stdio: 'pipe',
      env: { ...process.env, APP_VERSION: String(version), CDK_OUTDIR: `v${version}.out`, CDK_CONTEXT_JSON: context, CDK_VALIDATION: 'false' },
    });
  }
}, 120_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

test('npx cdk-datasets plan: the replaced group with its datasets lost, the Items schema taken in place, the refused fixed name', async () => {
  expect(fs.realpathSync(path.join(app, 'node_modules', '.bin', 'cdk-datasets'))).toBe(path.join(fs.realpathSync(app), 'node_modules', 'cdk-datasets', 'assets', 'cli', 'cdk-datasets.js'));
  const plan = await run(npx, ['--no', 'cdk-datasets', 'plan', '--from', 'v1.out', '--to', 'v2.out']);
  expect([plan.code, plan.stderr]).toEqual([0, '']);
  const out = plan.stdout;
  expect(out).toMatch(/REPLACE +Recommendations\/Video +Personalize dataset group +replaced: Domain cannot change in place/);
  expect(out).toMatch(/loses dataset Recommendations\/Video\/Interactions \(Interactions\) and the data imported into it/);
  expect(out).toMatch(/REPLACE +Recommendations\/Video\/Interactions +Personalize dataset +replaced: DatasetGroupArn, SchemaArn/);
  expect(out).toMatch(/update +Recommendations\/Retail\/Items +Personalize dataset +in place: SchemaArn/);
  expect(out).toMatch(/REFUSED +Archive\/Archive +Personalize dataset group +Cannot change Domain of Personalize dataset group "archive-group"/);

  const gated = await run(npx, ['--no', 'cdk-datasets', 'plan', '--from', 'v1.out', '--to', 'v2.out', '--fail-on', 'replace']);
  expect(gated.code).toBe(1);
  expect(gated.stderr).toMatch(/--fail-on replace refuses: .*replace Recommendations\/Video\b/);
}, 60_000);

test('npx cdk-datasets rehearse: deploys, updates and destroys with 0 leaks, and writes nothing into the assemblies', async () => {
  const before = [listing(path.join(app, 'v1.out')), listing(path.join(app, 'v2.out'))];
  const rehearsal = await run(npx, ['--no', 'cdk-datasets', 'rehearse', '--app', 'v1.out', '--update-to', 'v2.out', '--stack', 'Recommendations']);
  expect([rehearsal.code, rehearsal.stderr]).toEqual([0, '']);
  const out = rehearsal.stdout;
  expect(out).toMatch(/deploy +VideoDC4EF471 +Custom::PersonalizeDatasetGroup +Create +CREATE_COMPLETE/);
  expect(out).toMatch(/Recommendations deploy +CREATE_COMPLETE/);
  expect(out).toMatch(/Recommendations update +UPDATE_COMPLETE/);
  expect(out).toMatch(/Recommendations destroy DELETE_COMPLETE/);
  expect(out).toMatch(/leaks: +0\n +duplicates: +0\n +wrongly deleted: +0\n +missing: +0/);
  expect(out).toMatch(/IAM: +[1-9]\d* handler calls authorized against their role's policies, 0 denied/);
  expect(out).toMatch(/Rehearsal passed\./);
  expect([listing(path.join(app, 'v1.out')), listing(path.join(app, 'v2.out'))]).toEqual(before);
}, 60_000);

test('npx cdk-datasets rehearse of the refused change: the update fails with the handler\'s message and rolls back, nothing leaks', async () => {
  const rehearsal = await run(npx, ['--no', 'cdk-datasets', 'rehearse', '--app', 'v1.out', '--update-to', 'v2.out', '--stack', 'Archive']);
  expect(rehearsal.code).toBe(1);
  expect(rehearsal.stdout).toMatch(/Archive update ended UPDATE_ROLLBACK_COMPLETE: ArchiveDA4CB258 UPDATE_FAILED: Cannot change Domain/);
  expect(rehearsal.stdout).toMatch(/leaks: +0\n/);
}, 60_000);
