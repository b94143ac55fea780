/**
 * The package as it is published, from the compiled library:
 * - the tarball npm packs (which the release does through jsii-pacmak): the licence notices of
 *   everything its handler bundles contain, a package.json without scripts that need the
 *   repository, and it works once installed: an app with it beside its peers synthesizes a
 *   DatasetGroup with its handler assets;
 * - what Construct Hub makes of it in Python, Java, C# and Go: every example compiles against the
 *   library and transliterates (`jsii-rosetta extract --strict`; the README's are whole programs,
 *   `nofixture`, the API reference's go inside rosetta/default.ts-fixture), and jsii-docgen renders
 *   the README and API reference in each language without an error or an example it could not
 *   compile. TypeScript's reference is API.md (test/api-docs.test.ts).
 * Both run at once (packing and installing here, rosetta in child processes), in a temporary
 * directory: the repository is left as it is.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bin, compileLibrary, packLibrary, root } from '../support/compiled-library';

interface Run { code: number | null; stdout: string; stderr: string; seconds: number }

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

async function succeeded(what: string, pending: Promise<Run>): Promise<Run> {
  const r = await pending;
  if (r.code !== 0) {
    const output = (r.stderr + r.stdout).split('\n').filter((l) => !l.startsWith('!!')).slice(-60).join('\n');
    throw new Error(`${what} exited ${r.code} after ${r.seconds} s:\n${output}`);
  }
  return r;
}

const LANGUAGES = ['python', 'java', 'csharp', 'go'];

let work: string;
let manifestBefore: string;
let manifestTime: number;
let packed: Promise<{ files: string[]; dir: string }>;
let installed: Promise<Run>;
let extract: Promise<Run>;
let docs: Record<string, Promise<Run>>;

beforeAll(() => {
  compileLibrary();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'release-package-'));
  manifestBefore = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  manifestTime = fs.statSync(path.join(root, 'package.json')).mtimeMs;

  // Construct Hub's view. The package as the hub gets it: the assembly, its manifest, the compiled
  // library, the fixtures; beside it, its dependencies (from the repository) and nothing else, which
  // jsii-docgen would otherwise search for assemblies.
  const pkg = path.join(work, 'hub', 'package');
  fs.mkdirSync(path.join(pkg, 'node_modules'), { recursive: true });
  for (const file of ['.jsii', 'package.json']) fs.copyFileSync(path.join(root, file), path.join(pkg, file));
  for (const dir of ['lib', 'rosetta']) fs.symlinkSync(path.join(root, dir), path.join(pkg, dir));
  for (const dep of Object.keys(JSON.parse(manifestBefore).peerDependencies)) {
    fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(pkg, 'node_modules', dep));
  }
  // Where rosetta compiles the examples: the package, its peers, and Node's types (declared as
  // jsiiRosetta.exampleDependencies in package.json) for `path` and `__dirname`.
  const compile = path.join(work, 'hub', 'compile');
  fs.mkdirSync(path.join(compile, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(pkg, path.join(compile, 'node_modules', 'cdk-datasets'));
  for (const dep of ['aws-cdk-lib', 'constructs', path.join('@types', 'node')]) {
    fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(compile, 'node_modules', dep));
  }
  // One TypeScript program for all the examples (--batch): half the time of one program each.
  extract = run(bin('jsii-rosetta'), ['extract', '--strict', '--batch', '1000', '--directory', compile, '.jsii'], pkg);
  // jsii-docgen reuses the translations extract leaves beside the assembly (.jsii.tabl.json). Each
  // language loads the whole type system (aws-cdk-lib's included) again; one process for the four
  // loads the TypeScript assembly once (34 CPU-s, against 37 for two processes of two): the other
  // jest worker keeps the second core busy meanwhile.
  const args = [...LANGUAGES.flatMap((l) => ['--language', l]), '--readme', '--output', path.join(work, 'hub', 'API.md')];
  const rendered = extract.then(() => run(bin('jsii-docgen'), args, pkg));
  docs = Object.fromEntries(LANGUAGES.map((language) => [language, rendered]));

  // Meanwhile, the tarball, unpacked where an app installs it, beside symlinks to the peers.
  const app = path.join(work, 'app');
  const modules = path.join(app, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  // One pack at a time per checkout (test/cli/package.test.ts packs too).
  packed = Promise.resolve().then(async () => {
    const { tarball, files } = packLibrary(work);
    await succeeded('tar', run('tar', ['-xzf', tarball, '-C', modules], root));
    fs.renameSync(path.join(modules, 'package'), path.join(modules, 'cdk-datasets'));
    return { files, dir: path.join(modules, 'cdk-datasets') };
  });
  for (const peer of ['aws-cdk-lib', 'constructs']) fs.symlinkSync(path.join(root, 'node_modules', peer), path.join(modules, peer));
  fs.writeFileSync(path.join(app, 'app.js'), [
    "const { App, Stack } = require('aws-cdk-lib');",
    "const { DatasetGroup } = require('cdk-datasets');",
    "const app = new App({ outdir: 'cdk.out' });",
    "new DatasetGroup(new Stack(app, 'Installed'), 'Group');",
    'app.synth();',
  ].join('\n'));
  // Without aws-cdk-lib's template validation (CDK_VALIDATION=false, as `cdk synth --no-validation`):
  // the construct tests validate these templates, and its engine takes seconds to start.
  installed = packed.then(() => succeeded('node app.js', run(process.execPath, ['app.js'], app, { CDK_VALIDATION: 'false' })));
}, 300_000);

afterAll(async () => {
  await Promise.all([packed, installed, extract, ...Object.values(docs ?? {})].map((p) => p?.catch(() => undefined)));
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  test('its package.json has no scripts, and packing leaves the repository\'s as it was', async () => {
    const { dir } = await packed;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.name).toBe('cdk-datasets');
    expect(manifest.bin).toEqual({ 'cdk-datasets': 'assets/cli/cdk-datasets.js' });
    expect(manifest.peerDependencies).toEqual(JSON.parse(manifestBefore).peerDependencies);
    expect(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).toBe(manifestBefore);
    // Its time too: a newer package.json would make the next test run compile the library again.
    expect(fs.statSync(path.join(root, 'package.json')).mtimeMs).toBe(manifestTime);
    expect(fs.existsSync(path.join(root, 'package.json.prepack'))).toBe(false);
  }, 120_000);

  test('it holds the library, its bundles, their notices, its docs and rosetta fixture, and no build files', async () => {
    const { files } = await packed;
    expect(files).toEqual(expect.arrayContaining([
      'lib/index.js', 'lib/index.d.ts', '.jsii', 'API.md', 'README.md', 'LICENSE',
      'assets/THIRD-PARTY-LICENSES', 'rosetta/default.ts-fixture', 'assets/cli/cdk-datasets.js',
    ]));
    const unwanted = files.filter((f) => /^(src|test|lambda|cli|scripts|build|rehearsal|bench|examples|\.github|\.projen)\/|^package\.json\.prepack$|\.tsbuildinfo$/.test(f));
    expect(unwanted).toEqual([]);
  }, 120_000);

  test('every third-party package in a bundle has its licence notice in its THIRD-PARTY-LICENSES', async () => {
    const { files, dir } = await packed;
    // The bundles' esbuild metafiles, kept by the bundle step (build/metafiles).
    const metaDir = path.join(root, 'build', 'metafiles');
    const records = fs.readdirSync(metaDir).map((f) => JSON.parse(fs.readFileSync(path.join(metaDir, f), 'utf8')));
    // They cover every bundle the package ships.
    const shipped = files.filter((f) => /^assets\/.+\.js$/.test(f)).map((f) => f.slice('assets/'.length)).sort();
    expect(records.map((r) => r.name).sort()).toEqual(shipped);

    const packages = new Map<string, string[]>();
    for (const { metafile } of records) {
      for (const input of Object.keys(metafile.inputs)) {
        const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
        if (!match) continue;
        const pkgDir = path.resolve(root, match[1]);
        const { name, version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
        packages.set(`${name}@${version}`, fs.readdirSync(pkgDir).filter((f) => /^(licen[cs]e|notice|copying)/i.test(f)).map((f) => path.join(pkgDir, f)));
      }
    }
    // The AWS SDK (Apache-2.0) and bowser (MIT) at least.
    expect([...packages.keys()].some((id) => id.startsWith('@aws-sdk/'))).toBe(true);
    expect([...packages.keys()].some((id) => id.startsWith('bowser@'))).toBe(true);

    const notices = fs.readFileSync(path.join(dir, 'assets', 'THIRD-PARTY-LICENSES'), 'utf8');
    const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
    const flat = squash(notices);
    const missing: string[] = [];
    for (const [id, licenseFiles] of packages) {
      if (!notices.split('\n').includes(id)) missing.push(`${id}: not listed`);
      if (licenseFiles.length === 0) missing.push(`${id}: no licence file to ship`);
      for (const file of licenseFiles) if (!flat.includes(squash(fs.readFileSync(file, 'utf8')))) missing.push(`${id}: text of ${path.basename(file)}`);
    }
    expect(missing).toEqual([]);
  }, 120_000);

  test('an app with it installed beside its peers synthesizes a DatasetGroup with its handler assets', async () => {
    const { dir, files } = await packed;
    await installed;
    const out = path.join(work, 'app', 'cdk.out');
    const template = JSON.parse(fs.readFileSync(path.join(out, 'Installed.template.json'), 'utf8'));
    expect(Object.values<any>(template.Resources).map((r) => r.Type)).toContain('Custom::PersonalizeDatasetGroup');
    // The handler functions' code is a packed bundle directory (assets/<dir>/index.js).
    const bundles = files.filter((f) => /^assets\/[^/]+\/index\.js$/.test(f)).map((f) => fs.readFileSync(path.join(dir, f)));
    const assets = fs.readdirSync(out).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(out, d, 'index.js')));
    expect(bundles.length).toBeGreaterThan(0);
    expect(assets.some((d) => bundles.some((b) => fs.readFileSync(path.join(out, d, 'index.js')).equals(b)))).toBe(true);
  }, 120_000);
});

describe('Construct Hub', () => {
  test('every README and API example compiles against the library and transliterates (jsii-rosetta extract --strict)', async () => {
    await succeeded('jsii-rosetta extract --strict', extract);
    const tablet = JSON.parse(fs.readFileSync(path.join(work, 'hub', 'package', '.jsii.tabl.json'), 'utf8'));
    const snippets = Object.values<any>(tablet.snippets);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8').match(/^```ts\b/gm) ?? [];
    expect(snippets.filter((s) => s.location.api.api === 'moduleReadme')).toHaveLength(readme.length);
    for (const snippet of snippets) {
      expect([snippet.location, snippet.didCompile]).toEqual([snippet.location, true]);
      expect(Object.keys(snippet.translations)).toEqual(expect.arrayContaining(LANGUAGES));
    }
  }, 300_000);

  test.each(LANGUAGES)('jsii-docgen renders the README and API reference in %s', async (language) => {
    await succeeded(`jsii-docgen --language ${language}`, docs[language]);
    const markdown = fs.readFileSync(path.join(work, 'hub', `API.${language}.md`), 'utf8');
    // The README, transliterated: a dataset group in the language's own syntax.
    const construct = {
      python: /DatasetGroup\(stack, "Retail"/,
      java: /new DatasetGroup\(stack, "Retail"\)/,
      csharp: /new DatasetGroup\(stack, "Retail"\)/,
      go: /NewDatasetGroup\(stack, jsii\.String\("Retail"\)/,
    }[language]!;
    expect(markdown).toMatch(construct);
    expect(markdown).toContain('# API Reference');
    // Nor an example rosetta could not compile (it prefixes a disclaimer), nor a doc tag folded into one.
    expect(markdown).not.toMatch(/automatically generated from non-compiling source/i);
    expect(markdown).not.toMatch(/@\w+\[object Object\]/);
  }, 300_000);
});
