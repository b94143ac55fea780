/**
 * Every TypeScript example in README.md compiles against the library, as users would import it
 * (`from 'cdk-datasets'`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as library from '../src';

const root = path.join(__dirname, '..');

function readmeExamples(): Array<{ line: number; code: string }> {
  const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const examples: Array<{ line: number; code: string }> = [];
  // A README example is a whole program (```ts nofixture: jsii-rosetta compiles it without a fixture).
  const fence = /```ts(?: [^\n]*)?\n([\s\S]*?)```/g;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    examples.push({ line: text.slice(0, match.index).split('\n').length, code: match[1] });
  }
  return examples;
}

test('the README has TypeScript examples, and each compiles against the library', () => {
  const examples = readmeExamples();
  expect(examples.length).toBeGreaterThan(0);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-examples-'));
  const files = examples.map(({ line, code }) => {
    const file = path.join(dir, `readme-line-${line}.ts`);
    // Each example is a module of its own; `export {}` keeps their declarations apart.
    fs.writeFileSync(file, `${code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    ignoreDeprecations: '6.0',
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    baseUrl: root,
    paths: { 'cdk-datasets': [path.join(root, 'src', 'index.ts')], '*': [path.join(root, 'node_modules', '*')] },
  });
  // The examples' own diagnostics only: the library's are the type check's (test/lint.test.ts), and
  // asking for every file's would check the whole library again.
  const examplesOf = files.map((file) => program.getSourceFile(file)!);
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
    .concat(examplesOf.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]))
    .filter((d) => d.file && files.includes(path.normalize(d.file.fileName)))
    .map((d) => `${path.basename(d.file!.fileName)}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` +
      ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  fs.rmSync(dir, { recursive: true, force: true });
  expect(diagnostics).toEqual([]);
}, 60_000);

test.each(readmeExamples().map((e) => [e.line, e.code]))('the README example at line %i synthesizes', (_line, code) => {
  // Run the example as users would, with every App it makes synthesized: constructor checks and
  // synth-time validations (schemas, one dataset per type, removal policies) both run.
  const apps: cdk.App[] = [];
  class TrackedApp extends cdk.App {
    constructor(props?: cdk.AppProps) {
      super({ ...props, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'readme-app-')) });
      apps.push(this);
    }
  }
  const cdkWithTrackedApp = new Proxy(cdk, { get: (target, key) => (key === 'App' ? TrackedApp : (target as any)[key]) });
  const modules: Record<string, unknown> = { 'cdk-datasets': library, 'aws-cdk-lib': cdkWithTrackedApp };
  const js = ts.transpileModule(code as string, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports = {};
  // Examples that read local files (a JSONL asset) sit, as it were, beside the example app's.
  const dirname = path.join(root, 'examples');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string) => modules[name] ?? require(name);
  new Function('require', 'exports', '__dirname', js)(load, exports, dirname);
  expect(apps.length).toBeGreaterThan(0);
  for (const app of apps) {
    app.synth();
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
});
