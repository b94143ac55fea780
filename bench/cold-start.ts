/**
 * Handler bundle figures: size on disk, and the time to load each bundle in a fresh Node.js process
 * against a bare `node -e 0` measured in the same run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './synth';

const ASSETS = path.join(__dirname, '..', 'assets');

/** Bundles loaded only on first use (`*.lazy.js`), by service and file: reported beside the entry bundles. */
export function lazyBundleKb(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const service of fs.readdirSync(ASSETS)) {
    for (const file of fs.readdirSync(path.join(ASSETS, service)).filter((f) => f.endsWith('.lazy.js'))) {
      sizes[`${service}/${file}`] = Math.round((fs.statSync(path.join(ASSETS, service, file)).size / 1024) * 10) / 10;
    }
  }
  return sizes;
}

export function bundleKb(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const service of fs.readdirSync(ASSETS)) {
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

/** Median process time to load each bundle, interleaved with the bare baseline. */
export function coldInit(runs = 15): { baselineMs: number; ms: Record<string, number>; ratio: Record<string, number> } {
  const services = Object.keys(bundleKb());
  const samples: Record<string, number[]> = { baseline: [] };
  for (const service of services) samples[service] = [];
  for (let i = 0; i < runs; i++) {
    samples.baseline.push(timeNode('0'));
    for (const service of services) {
      samples[service].push(timeNode(`require(${JSON.stringify(path.join(ASSETS, service, 'index.js'))})`));
    }
  }
  const baselineMs = median(samples.baseline);
  const ms: Record<string, number> = {};
  const ratio: Record<string, number> = {};
  for (const service of services) {
    ms[service] = median(samples[service]);
    ratio[service] = ms[service] / baselineMs;
  }
  return { baselineMs, ms, ratio };
}
