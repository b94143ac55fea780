/**
 * The library compiled by jsii (lib/ and the .jsii assembly, in place), for the tests that read the
 * compiled package: API.md, the API reference in every language, the packed tarball.
 *
 * jsii takes about 20 s, so it runs once for all of them: `compileLibrary()` compiles when the
 * assembly is missing or older than anything it is made from, and holds a lock meanwhile, so that
 * tests in other jest workers wait for that compile instead of compiling over it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const root = path.join(__dirname, '..', '..');
export const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

/** What jsii reads: the sources, the manifest (name, version, targets), the README, the tsconfig. */
function inputs(): string[] {
  const files = ['package.json', 'README.md', 'tsconfig.json', path.join('node_modules', 'jsii', 'package.json')];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) files.push(rel);
    }
  };
  walk('src');
  return files.map((f) => path.join(root, f));
}

function isCurrent(): boolean {
  const assembly = path.join(root, '.jsii');
  if (!fs.existsSync(assembly) || !fs.existsSync(path.join(root, 'lib', 'index.js'))) return false;
  const built = fs.statSync(assembly).mtimeMs;
  return inputs().every((f) => fs.statSync(f).mtimeMs <= built);
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding a lock for this checkout, taken over from a holder that died: the jsii compile,
 * and packing (which rewrites package.json meanwhile, see scripts/packed-manifest.ts).
 */
export function withLock<T>(fn: () => T): T {
  // In the checkout (build/ is neither committed nor packed), not in the temporary directory, which
  // is each test file's own (test/support/quiet-environment.js).
  const lock = path.join(root, 'build', 'compiled-library.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        // Taken a moment ago: the pid follows.
      }
      const orphaned = Number.isInteger(holder) ? !isAlive(holder) : Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!?.mtimeMs > 10_000;
      if (orphaned) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Waited 10 minutes for ${lock} (jsii compile by pid ${holder})`);
      else sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Compiles the library with jsii unless lib/ and .jsii are already what the sources make. */
export function compileLibrary(): void {
  withLock(() => {
    if (!isCurrent()) execFileSync(bin('jsii'), ['--silence-warnings=reserved-word'], { cwd: root, stdio: 'pipe' });
  });
}

/**
 * Packs the compiled library into `destination` as npm publishes it (prepack and postpack
 * included), one pack at a time per checkout; returns the tarball and the files it holds.
 */
export function packLibrary(destination: string): { tarball: string; files: string[] } {
  compileLibrary();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const stdout = withLock(() => execFileSync(npm, ['pack', '--json', '--pack-destination', destination], { cwd: root, stdio: 'pipe' }).toString());
  const [report] = JSON.parse(stdout.substring(stdout.indexOf('[')));
  return { tarball: path.join(destination, report.filename), files: report.files.map((f: { path: string }) => f.path) };
}
