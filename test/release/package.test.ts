/**
 * The package as npm packs it (`npm pack`, which the release runs through jsii-pacmak): it carries
 * the licence notices of everything its handler bundles contain, a package.json without scripts
 * that need the repository, and it works once installed: an app that installs it beside its peers
 * synthesizes a stack with the library's constructs and their handler assets.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileLibrary, root } from '../support/compiled-library';

let work: string;
let unpacked: string;
let packedFiles: string[];
let manifestBefore: string;

beforeAll(() => {
  compileLibrary();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'packed-'));
  manifestBefore = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const report = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  packedFiles = report[0].files.map((f: { path: string }) => f.path);
  execFileSync('tar', ['-xzf', path.join(work, report[0].filename), '-C', work]);
  unpacked = path.join(work, 'package');
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the packed package.json has no scripts, and packing leaves the repository\'s as it was', () => {
  const packed = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
  expect(packed.scripts).toBeUndefined();
  expect(packed.name).toBe('cdk-datasets');
  expect(packed.peerDependencies).toEqual(JSON.parse(manifestBefore).peerDependencies);
  expect(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).toBe(manifestBefore);
  expect(fs.existsSync(path.join(root, 'package.json.prepack'))).toBe(false);
});

test('the package holds the library, its bundles, their notices, its docs and rosetta fixture, and no build files', () => {
  expect(packedFiles).toEqual(expect.arrayContaining([
    'lib/index.js', 'lib/index.d.ts', '.jsii', 'API.md', 'README.md', 'LICENSE',
    'assets/THIRD-PARTY-LICENSES', 'rosetta/default.ts-fixture',
  ]));
  const unwanted = packedFiles.filter((f) => /^(src|test|lambda|scripts|build|rehearsal|bench|examples|\.github|\.projen)\/|^package\.json\.prepack$|\.tsbuildinfo$/.test(f));
  expect(unwanted).toEqual([]);
});

interface Bundled { name: string; version: string; licenseFiles: string[] }

/** Every third-party package the bundles' esbuild metafiles name (build/metafiles, kept by the bundle step). */
function bundledPackages(): { bundles: string[]; packages: Map<string, Bundled> } {
  const dir = path.join(root, 'build', 'metafiles');
  const records = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  const packages = new Map<string, Bundled>();
  for (const { metafile } of records) {
    for (const input of Object.keys(metafile.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (!match) continue;
      const pkgDir = path.resolve(root, match[1]);
      const { name, version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      const licenseFiles = fs.readdirSync(pkgDir).filter((f) => /^(licen[cs]e|notice|copying)/i.test(f)).map((f) => path.join(pkgDir, f));
      packages.set(`${name}@${version}`, { name, version, licenseFiles });
    }
  }
  return { bundles: records.map((r) => r.name).sort(), packages };
}

test('every third-party package in a bundle has its licence notice in the packed THIRD-PARTY-LICENSES', () => {
  const { bundles, packages } = bundledPackages();
  // The metafiles cover every bundle the package ships.
  const shipped = packedFiles.filter((f) => /^assets\/.+\.js$/.test(f)).map((f) => f.slice('assets/'.length)).sort();
  expect(bundles).toEqual(shipped);
  // The AWS SDK (Apache-2.0) and bowser (MIT) at least.
  expect([...packages.keys()].some((id) => id.startsWith('@aws-sdk/'))).toBe(true);
  expect([...packages.keys()].some((id) => id.startsWith('bowser@'))).toBe(true);

  const notices = fs.readFileSync(path.join(unpacked, 'assets', 'THIRD-PARTY-LICENSES'), 'utf8');
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  const flat = squash(notices);
  const missing: string[] = [];
  for (const [id, { licenseFiles }] of packages) {
    if (!new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(notices)) missing.push(`${id}: not listed`);
    if (licenseFiles.length === 0) missing.push(`${id}: no licence file to ship`);
    for (const file of licenseFiles) if (!flat.includes(squash(fs.readFileSync(file, 'utf8')))) missing.push(`${id}: text of ${path.basename(file)}`);
  }
  expect(missing).toEqual([]);
});

test('an app with the package installed beside its peers synthesizes a DatasetGroup with its handler assets', () => {
  const app = path.join(work, 'app');
  fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  fs.renameSync(unpacked, path.join(app, 'node_modules', 'cdk-datasets'));
  unpacked = path.join(app, 'node_modules', 'cdk-datasets');
  for (const peer of ['aws-cdk-lib', 'constructs']) fs.symlinkSync(path.join(root, 'node_modules', peer), path.join(app, 'node_modules', peer));
  fs.writeFileSync(path.join(app, 'app.js'), [
    "const { App, Stack } = require('aws-cdk-lib');",
    "const { DatasetGroup } = require('cdk-datasets');",
    "const app = new App({ outdir: 'cdk.out' });",
    "new DatasetGroup(new Stack(app, 'Installed'), 'Group');",
    'app.synth();',
  ].join('\n'));
  execFileSync(process.execPath, ['app.js'], { cwd: app, stdio: 'pipe' });
  const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out', 'Installed.template.json'), 'utf8'));
  expect(Object.values<any>(template.Resources).map((r) => r.Type)).toContain('Custom::PersonalizeDatasetGroup');
  // The handler functions' code is the packed bundle.
  const bundle = fs.readFileSync(path.join(unpacked, 'assets', 'personalize', 'index.js'));
  const assets = fs.readdirSync(path.join(app, 'cdk.out')).filter((d) => d.startsWith('asset.'));
  expect(assets.some((d) => fs.existsSync(path.join(app, 'cdk.out', d, 'index.js')) &&
    fs.readFileSync(path.join(app, 'cdk.out', d, 'index.js')).equals(bundle))).toBe(true);
}, 60_000);
