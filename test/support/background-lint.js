/**
 * The static checks (scripts/lint.ts: the type check and ESLint over one TypeScript program) start
 * when jest does, beside the test files and at a low priority: they use what the two workers leave
 * of the cores (a file waiting on the emulator's clock, say) instead of holding a worker for half a
 * minute. test/lint.test.ts, sequenced last, reads their result; run without this setup, it runs the
 * checks itself. Nothing starts when the run's path patterns leave test/lint.test.ts out, nor in a run
 * narrowed otherwise (changed files, a name pattern, a shard, watch mode).
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

/**
 * Runs scripts/lint.ts in the repository's root: the child, and its end as { code, signal, output }
 * (stdout and stderr as they came; a failure to start, in Node's words).
 */
function runLint(root) {
  const file = path.join(root, 'node_modules', '.bin', 'ts-node');
  const child = spawn(file, ['-T', '--project', 'test/tsconfig.json', 'scripts/lint.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  // Node emits 'close' after 'error' too: the reason the checks could not start is part of the output.
  child.on('error', (error) => output.push(Buffer.from(`could not start ${file}: ${error.message}\n`)));
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const finished = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output: Buffer.concat(output).toString() })));
  return { child, finished };
}

async function globalSetup(globalConfig, projectConfig) {
  const root = projectConfig.rootDir;
  const lintTest = path.join(root, 'test', 'lint.test.ts');
  const patterns = globalConfig.testPathPatterns;
  const included = !patterns?.isSet() || patterns.toExecutor({ rootDir: root }).isMatch(lintTest);
  const ignored = (projectConfig.testPathIgnorePatterns ?? []).some((pattern) => new RegExp(pattern).test(lintTest));
  // Runs that choose files or tests otherwise may leave test/lint.test.ts out; if it runs in one,
  // it runs the checks itself.
  const narrowed = globalConfig.onlyChanged || globalConfig.changedSince || globalConfig.findRelatedTests
    || globalConfig.shard || globalConfig.testNamePattern || globalConfig.onlyFailures;
  if (!included || ignored || narrowed || globalConfig.listTests || globalConfig.watch || globalConfig.watchAll) return;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-datasets-lint-'));
  const result = path.join(dir, 'result.json');
  const { child, finished } = runLint(root);
  const state = { child, dir, stopped: false };
  state.closed = finished.then((run) => {
    // Written whole, then renamed: the reader never sees half a file. Not once teardown stopped it.
    if (state.stopped) return;
    fs.writeFileSync(`${result}.partial`, JSON.stringify(run));
    fs.renameSync(`${result}.partial`, result);
  });
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, NICENESS);
    } catch {
      // Not allowed here: the checks run at the tests' priority, which is slower, not wrong.
    }
  }
  process.env[RESULT_VARIABLE] = result;
  globalThis[STATE] = state;
}

async function globalTeardown() {
  const state = globalThis[STATE];
  if (!state) return;
  // Still running only when test/lint.test.ts did not run after all (a bail, a timeout): stopped,
  // and its directory removed once it has closed.
  state.stopped = true;
  if (state.child.exitCode === null && state.child.signalCode === null) state.child.kill();
  await state.closed;
  fs.rmSync(state.dir, { recursive: true, force: true });
  delete process.env[RESULT_VARIABLE];
  globalThis[STATE] = undefined;
}

module.exports = { globalSetup, globalTeardown, runLint, RESULT_VARIABLE };
