/**
 * The type check and ESLint over one TypeScript program: test/tsconfig.json, which holds the
 * library, the handlers, the command, the tests and the tooling. `tsc --noEmit` and ESLint's
 * type-aware rules (no-floating-promises, return-await) would each build that program, aws-cdk-lib's
 * declarations included; built once, the two take 28 CPU-seconds instead of 49 on the 2-core dev
 * machine. Run by test/lint.test.ts, so that a problem counts as a failed test.
 *
 * Prints TypeScript's diagnostics and ESLint's report; exits 1 on a type error or a lint error.
 * `--fix` writes ESLint's fixes (as `npx projen eslint` does), with ESLint's own programs.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as TypeScript from 'typescript';

const root = path.join(__dirname, '..');

/**
 * What the eslint task lints, read from the task projen generates (.projenrc.ts, eslintOptions):
 * the paths after its arguments placeholder, and the extensions of its --ext.
 */
export function eslintTaskTargets(): { paths: string[]; extensions: string[] } {
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8'));
  const args: string[] = tasks.tasks.eslint.steps[0].execArgs;
  return { paths: args.slice(args.indexOf('$@') + 1), extensions: args[args.indexOf('--ext') + 1].split(',') };
}

function program(ts: typeof TypeScript): { program: TypeScript.Program; configErrors: readonly TypeScript.Diagnostic[] } {
  const configErrors: TypeScript.Diagnostic[] = [];
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'test', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic),
  });
  if (!config) throw new Error(ts.formatDiagnostics(configErrors, FORMAT_HOST));
  return {
    program: ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences }),
    configErrors: [...configErrors, ...config.errors],
  };
}

const FORMAT_HOST: TypeScript.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => '\n',
};

async function main(): Promise<number> {
  // Loaded here, not on import: test/lint.test.ts imports eslintTaskTargets only.
  const ts = await import('typescript');
  const { loadESLint } = await import('eslint');
  const fix = process.argv.includes('--fix');
  const { program: shared, configErrors } = program(ts);
  // What `tsc --noEmit -p test/tsconfig.json` reports.
  const diagnostics = [...configErrors, ...ts.getPreEmitDiagnostics(shared)];
  const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  if (diagnostics.length > 0) process.stdout.write(format(diagnostics, FORMAT_HOST));
  const typeErrors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;

  const ESLint = await loadESLint({ useFlatConfig: false });
  const { paths, extensions } = eslintTaskTargets();
  const eslint = new ESLint({
    cwd: root,
    extensions,
    errorOnUnmatchedPattern: false,
    fix,
    // The program above instead of one of its own from parserOptions.project: every linted file is
    // in it (typescript-eslint fails on one that is not). Not when fixing: ESLint lints a fixed text
    // again, and a given program still holds the text before the fix, so fixes would land at the
    // old positions; typescript-eslint then builds programs of its own from the config.
    overrideConfig: fix ? undefined : { parserOptions: { programs: [shared], project: null } },
  });
  const results = await eslint.lintFiles(paths);
  if (fix) await ESLint.outputFixes(results);
  const report = await (await eslint.loadFormatter('stylish')).format(results);
  if (report) process.stdout.write(report);
  const lintErrors = results.reduce((n, r) => n + r.errorCount, 0);

  process.stdout.write(`lint: ${typeErrors} type errors, ${lintErrors} lint errors in ${results.length} files\n`);
  return typeErrors + lintErrors > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 2;
  });
}
