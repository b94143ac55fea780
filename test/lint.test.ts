/**
 * The sources type-check and pass ESLint: scripts/lint.ts, which builds one TypeScript program of
 * everything test/tsconfig.json holds for both, in a child process (its output is shown when a
 * check fails). As tests, a problem counts in the suite's closing line, and jest runs it beside
 * the other test files instead of after them.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { eslintTaskTargets } from '../scripts/lint';

const root = path.join(__dirname, '..');

interface Lint { code: number | null; output: string; typeErrors: number; lintErrors: number; files: number }

/** The TypeScript sources under what the check lints, as .eslintrc.json's ignorePatterns leave them. */
function sources(): string[] {
  const { paths, extensions } = eslintTaskTargets();
  return paths.flatMap((entry) => {
    const full = path.join(root, entry);
    if (!fs.statSync(full).isDirectory()) return [entry];
    return fs.readdirSync(full, { recursive: true, encoding: 'utf8' })
      .filter((f) => !f.split(path.sep).includes('node_modules'))
      .map((f) => path.join(entry, f));
  }).filter((f) => extensions.includes(path.extname(f)) && !/\.(d|generated)\.ts$/.test(f));
}

let lint: Promise<Lint>;

beforeAll(() => {
  lint = new Promise((resolve) => {
    const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');
    execFile(tsNode, ['-T', '--project', 'test/tsconfig.json', 'scripts/lint.ts'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = stdout + stderr;
      const summary = /^lint: (\d+) type errors, (\d+) lint errors in (\d+) files/m.exec(output);
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        output,
        typeErrors: summary ? Number(summary[1]) : NaN,
        lintErrors: summary ? Number(summary[2]) : NaN,
        files: summary ? Number(summary[3]) : NaN,
      });
    });
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
