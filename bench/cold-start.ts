/**
 * Handler bundle figures: size on disk, and the time to load each bundle in a fresh Node.js process
 * against a bare `node -e 0` measured in the same run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './synth';

const ASSETS = path.join(__dirname, '..', 'assets');

/** The bundle directories under assets/ (beside them: the third-party notices). */
function bundleDirs(): string[] {
  return fs.readdirSync(ASSETS).filter((entry) => fs.statSync(path.join(ASSETS, entry)).isDirectory());
}

/** Bundles loaded only on first use (`*.lazy.js`), by service and file: reported beside the entry bundles. */
export function lazyBundleKb(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const service of bundleDirs()) {
    for (const file of fs.readdirSync(path.join(ASSETS, service)).filter((f) => f.endsWith('.lazy.js'))) {
      sizes[`${service}/${file}`] = Math.round((fs.statSync(path.join(ASSETS, service, file)).size / 1024) * 10) / 10;
    }
  }
  return sizes;
}

export function bundleKb(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const service of bundleDirs()) {
    const file = path.join(ASSETS, service, 'index.js');
    if (fs.existsSync(file)) sizes[service] = Math.round((fs.statSync(file).size / 1024) * 10) / 10;
  }
  return sizes;
}

function timeNode(script: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], { stdio: 'ignore', env: { PATH: process.env.PATH } });
  if (result.status !== 0) throw new Error(`node -e ${script} failed with ${result.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * What a cold start of each service's handler code loads: the entry bundle, and the service's chunk
 * (loaded on first use of one of its resource types). `handlers` is the entry bundle alone.
 */
export function coldLoads(): Record<string, string[]> {
  const loads: Record<string, string[]> = {};
  for (const dir of bundleDirs()) {
    const entry = path.join(ASSETS, dir, 'index.js');
    if (!fs.existsSync(entry)) continue;
    loads[dir] = [entry];
    for (const chunk of fs.readdirSync(path.join(ASSETS, dir)).filter((f) => f.endsWith('.lazy.js'))) {
      loads[chunk.replace(/\.lazy\.js$/, '')] = [entry, path.join(ASSETS, dir, chunk)];
    }
  }
  return loads;
}

/** Median process time to load each service's handler code, interleaved with the bare baseline in the same run. */
export function coldInit(runs = 15): { baselineMs: number; ms: Record<string, number>; ratio: Record<string, number> } {
  const loads = coldLoads();
  const samples: Record<string, number[]> = { baseline: [] };
  for (const service of Object.keys(loads)) samples[service] = [];
  for (let i = 0; i < runs; i++) {
    samples.baseline.push(timeNode('0'));
    for (const [service, files] of Object.entries(loads)) {
      samples[service].push(timeNode(files.map((f) => `require(${JSON.stringify(f)});`).join('')));
    }
  }
  const baselineMs = median(samples.baseline);
  const ms: Record<string, number> = {};
  const ratio: Record<string, number> = {};
  for (const service of Object.keys(loads)) {
    ms[service] = median(samples[service]);
    ratio[service] = ms[service] / baselineMs;
  }
  return { baselineMs, ms, ratio };
}

/** The package as `npm pack` would make it: tarball size, and how much of its JavaScript is inline source maps. */
export function packageFigures(): { packageKb: number; jsKb: number; inlineSourceMapKb: number; libBuilt: boolean } {
  const root = path.join(__dirname, '..');
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm pack --dry-run failed: ${result.stderr}`);
  const [pack] = JSON.parse(result.stdout) as Array<{ size: number; files: Array<{ path: string; size: number }> }>;
  let jsBytes = 0;
  let mapBytes = 0;
  for (const file of pack.files.filter((f) => f.path.endsWith('.js'))) {
    jsBytes += file.size;
    const text = fs.readFileSync(path.join(root, file.path), 'utf8');
    const inline = /\/\/# sourceMappingURL=data:[^\n]*/.exec(text);
    if (inline) mapBytes += Buffer.byteLength(inline[0]);
  }
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return { packageKb: kb(pack.size), jsKb: kb(jsBytes), inlineSourceMapKb: kb(mapBytes), libBuilt: pack.files.some((f) => f.path.startsWith('lib/')) };
}
