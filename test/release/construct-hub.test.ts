/**
 * Construct Hub shows this package in TypeScript, Python, Java, C# and Go: its README and its API
 * reference, with every example transliterated by jsii-rosetta. From the compiled assembly:
 * - every example compiles against the library and transliterates (`jsii-rosetta extract --strict`):
 *   the README's, which are whole programs (`nofixture`), and the API reference's, inside
 *   rosetta/default.ts-fixture;
 * - jsii-docgen writes the README and the API reference for Python, Java, C# and Go without an
 *   error and without an example it could not compile (TypeScript's is API.md, test/api-docs.test.ts).
 * It runs on a copy of the package in a temporary directory: the repository is left as it is.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bin, compileLibrary, root } from '../support/compiled-library';

const LANGUAGES = ['python', 'java', 'csharp', 'go'];
// What a rendered reference must not hold: an example rosetta could not compile (it then prefixes a
// disclaimer), or a doc tag jsii folded into an example.
const FLAWS = [/automatically generated from non-compiling source/i, /@\w+\[object Object\]/];

let work: string;
let extract: Promise<Run>;
let docs: Record<string, Promise<Run>>;

interface Run { code: number | null; stdout: string; stderr: string; seconds: number }

function run(command: string, args: string[], cwd: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

beforeAll(() => {
  compileLibrary();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'construct-hub-'));
  // The package as Construct Hub gets it: the assembly, its manifest, the compiled library, the
  // fixtures; its dependencies from the repository.
  const pkg = path.join(work, 'package');
  fs.mkdirSync(pkg);
  for (const file of ['.jsii', 'package.json']) fs.copyFileSync(path.join(root, file), path.join(pkg, file));
  for (const dir of ['lib', 'rosetta', 'node_modules']) fs.symlinkSync(path.join(root, dir), path.join(pkg, dir));
  // Where rosetta compiles the examples: the package, its peers, and Node's types (declared as
  // jsiiRosetta.exampleDependencies in package.json) for `path` and `__dirname`.
  const compile = path.join(work, 'compile');
  fs.mkdirSync(path.join(compile, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(pkg, path.join(compile, 'node_modules', 'cdk-datasets'));
  for (const dep of ['aws-cdk-lib', 'constructs', path.join('@types', 'node')]) {
    fs.symlinkSync(path.join(root, 'node_modules', dep), path.join(compile, 'node_modules', dep));
  }
  // One TypeScript program for all the examples (--batch): half the time of one program each.
  extract = run(bin('jsii-rosetta'), ['extract', '--strict', '--batch', '1000', '--directory', compile, '.jsii'], pkg);
  // jsii-docgen reuses the translations extract leaves beside the assembly (.jsii.tabl.json). Each
  // language loads the whole type system (aws-cdk-lib's included) again: two processes of two
  // languages each use both cores, and load the TypeScript assembly once per process.
  docs = {};
  for (const pair of [LANGUAGES.slice(0, 2), LANGUAGES.slice(2)]) {
    const rendered = extract.then(() => run(bin('jsii-docgen'), [...pair.flatMap((l) => ['--language', l]), '--readme', '--output', path.join(work, 'API.md')], pkg));
    for (const language of pair) docs[language] = rendered;
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([extract, ...Object.values(docs ?? {})].map((p) => p?.catch(() => undefined)));
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const failure = (what: string, r: Run) =>
  `${what} exited ${r.code} after ${r.seconds} s:\n${(r.stderr + r.stdout).split('\n').filter((l) => !l.startsWith('!!')).slice(-60).join('\n')}`;

test('every README and API example compiles against the library and transliterates (jsii-rosetta extract --strict)', async () => {
  const result = await extract;
  if (result.code !== 0) throw new Error(failure('jsii-rosetta extract --strict', result));
  const tablet = JSON.parse(fs.readFileSync(path.join(work, 'package', '.jsii.tabl.json'), 'utf8'));
  const snippets = Object.values<any>(tablet.snippets);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8').match(/^```ts\b/gm) ?? [];
  expect(snippets.filter((s) => s.location.api.api === 'moduleReadme')).toHaveLength(readme.length);
  for (const snippet of snippets) {
    expect([snippet.location, snippet.didCompile]).toEqual([snippet.location, true]);
    expect(Object.keys(snippet.translations).sort()).toEqual(expect.arrayContaining(LANGUAGES));
  }
}, 300_000);

test.each(LANGUAGES)('jsii-docgen renders the README and API reference in %s', async (language) => {
  const result = await docs[language];
  if (result.code !== 0) throw new Error(failure(`jsii-docgen --language ${language}`, result));
  const markdown = fs.readFileSync(path.join(work, `API.${language}.md`), 'utf8');
  // The README, transliterated: its first example's group in the language's own syntax.
  const construct = {
    python: /DatasetGroup\(stack, "Retail"/,
    java: /new DatasetGroup\(stack, "Retail"\)/,
    csharp: /new DatasetGroup\(stack, "Retail"\)/,
    go: /NewDatasetGroup\(stack, jsii\.String\("Retail"\)/,
  }[language]!;
  expect(markdown).toMatch(construct);
  expect(markdown).toContain('# API Reference');
  for (const flaw of FLAWS) expect(markdown).not.toMatch(flaw);
}, 300_000);
