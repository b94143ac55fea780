/**
 * The static checks (scripts/lint.ts: the type check and ESLint over one TypeScript program) start
 * when jest does, beside the test files and at a low priority: they use what the two workers leave
 * of the cores (a file waiting on the emulator's clock, say) instead of holding a worker for half a
 * minute. test/lint.test.ts, sequenced last, reads their result; run without this setup, it runs the
 * checks itself. Nothing starts when the run's path patterns leave test/lint.test.ts out.
 *
 * jest's globalSetup and globalTeardown (package.json): both run in jest's own process, before the
 * workers start (so they inherit RESULT_VARIABLE) and after they end.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** Where test/lint.test.ts finds the result file: { code, signal, output } as JSON, once the checks end. */
const RESULT_VARIABLE = 'CDK_DATASETS_LINT_RESULT';
/** Below the test files' priority (0): the checks run on what they leave. */
const NICENESS = 10;
const STATE = Symbol.for('cdk-datasets.background-lint');

/** The command test/lint.test.ts runs, in the repository's root. */
function lintCommand(root) {
  return {
    file: path.join(root, 'node_modules', '.bin', 'ts-node'),
    args: ['-T', '--project', 'test/tsconfig.json', 'scripts/lint.ts'],
  };
}

async function globalSetup(globalConfig, projectConfig) {
  const root = projectConfig.rootDir;
  const patterns = globalConfig.testPathPatterns;
  const included = !patterns?.isSet() || patterns.toExecutor({ rootDir: root }).isMatch(path.join(root, 'test', 'lint.test.ts'));
  if (!included || globalConfig.listTests || globalConfig.watch || globalConfig.watchAll) return;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-datasets-lint-'));
  const result = path.join(dir, 'result.json');
  const { file, args } = lintCommand(root);
  const output = [];
  const child = spawn(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const write = (value) => {
    // Written whole, then renamed: the reader never sees half a file.
    fs.writeFileSync(`${result}.partial`, JSON.stringify(value));
    fs.renameSync(`${result}.partial`, result);
  };
  child.on('error', (error) => write({ code: null, signal: null, output: `could not start ${file}: ${error.message}` }));
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  child.on('close', (code, signal) => write({ code, signal, output: Buffer.concat(output).toString() }));
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, NICENESS);
    } catch {
      // Not allowed here: the checks run at the tests' priority, which is slower, not wrong.
    }
  }
  process.env[RESULT_VARIABLE] = result;
  globalThis[STATE] = { child, dir };
}

async function globalTeardown() {
  const state = globalThis[STATE];
  if (!state) return;
  // Still running only when test/lint.test.ts did not run after all (a name pattern, a bail).
  if (state.child.exitCode === null && state.child.signalCode === null) state.child.kill();
  fs.rmSync(state.dir, { recursive: true, force: true });
  delete process.env[RESULT_VARIABLE];
  globalThis[STATE] = undefined;
}

module.exports = { globalSetup, globalTeardown, lintCommand, RESULT_VARIABLE };
