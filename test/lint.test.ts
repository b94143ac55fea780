/**
 * The sources type-check and pass ESLint: scripts/lint.ts, which builds one TypeScript program of
 * everything test/tsconfig.json holds for both, in a child process (its output is shown when a
 * check fails). As tests, a problem counts in the suite's closing line. In a jest run the checks
 * start with jest, at a low priority (test/support/background-lint.js), and this file, sequenced
 * last, reads their result; without that setup it runs them itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { eslintTaskTargets } from '../scripts/lint';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLint, RESULT_VARIABLE } = require('./support/background-lint');

const root = path.join(__dirname, '..');

interface Lint { code: number | null; output: string; typeErrors: number; lintErrors: number; files: number }

/** The TypeScript sources under what the check lints, as .eslintrc.json's ignorePatterns leave them. */
function sources(): string[] {
  const { paths, extensions } = eslintTaskTargets();
  return paths.flatMap((entry) => {
    const full = path.join(root, entry);
    if (!fs.statSync(full).isDirectory()) return [entry];
    return fs.readdirSync(full, { recursive: true, encoding: 'utf8' })
      // ESLint's eslintrc mode skips node_modules and dot-directories under what it is given.
      .filter((f) => !f.split(path.sep).some((part) => part === 'node_modules' || part.startsWith('.')))
      .map((f) => path.join(entry, f));
  }).filter((f) => extensions.includes(path.extname(f)) && !/\.(d|generated)\.ts$/.test(f));
}

let lint: Promise<Lint>;

/** How scripts/lint.ts ended (see runLint in test/support/background-lint.js). */
interface Run { code: number | null; signal: string | null; output: string }

/** The result the run started with jest writes when it ends. */
async function startedWithJest(result: string): Promise<Run> {
  while (!fs.existsSync(result)) await new Promise((resolve) => setTimeout(resolve, 250));
  return JSON.parse(fs.readFileSync(result, 'utf8'));
}

beforeAll(() => {
  const result = process.env[RESULT_VARIABLE];
  const run: Promise<Run> = result ? startedWithJest(result) : runLint(root).finished;
  lint = run.then(({ code, signal, output: printed }) => {
    const output = signal ? `${printed}\n(ended by ${signal})` : printed;
    const summary = /^lint: (\d+) type errors, (\d+) lint errors in (\d+) files/m.exec(output);
    return {
      code,
      output,
      typeErrors: summary ? Number(summary[1]) : NaN,
      lintErrors: summary ? Number(summary[2]) : NaN,
      files: summary ? Number(summary[3]) : NaN,
    };
  });
});

/** A count that is not 0 comes with the check's output: what a failure prints. */
const reported = (count: number, output: string) => (count === 0 ? 0 : `${count}, reported as:\n${output}`);

test('the TypeScript program of the library, the handlers, the tests and the tooling has no type error', async () => {
  const { typeErrors, output } = await lint;
  expect(reported(typeErrors, output)).toBe(0);
}, 180_000);

test('ESLint reports no error in any of the sources, and the check ran to its end', async () => {
  const { code, lintErrors, files, output } = await lint;
  expect(reported(lintErrors, output)).toBe(0);
  expect(files).toBe(sources().length);
  expect(reported(code ?? NaN, output)).toBe(0);
}, 180_000);
