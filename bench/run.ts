/**
 * `npm run bench`: measures each figure against its baseline in the same run, prints a table and
 * writes bench-results.json. A benchmark, not a test: it asserts nothing, it reports.
 */
import * as fs from 'fs';
import * as path from 'path';
import { bundleKb, coldInit, lazyBundleKb } from './cold-start';
import { fixedResources, marginalResources, scaleLimit, synthRatio } from './synth';
import { measureWait, parallelDeploySpeedup } from './wait';

interface Row { key: string; value: number; target: string; baseline?: string }

async function main() {
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const add = (key: string, value: number, target: string, baseline?: string) => {
    rows.push({ key, value, target, baseline });
    const parts = key.split('.');
    if (parts.length === 2) results[parts[0]] = { ...(results[parts[0]] as object), [parts[1]]: value };
    else results[key] = value;
    console.error(`  measured ${key} = ${value}`);
  };

  const synth = synthRatio(100, 7);
  add('synthRatioVsL1', round(synth.ratio, 2), '<= 1.5', `ours ${round(synth.oursMs)} ms, L1 ${round(synth.l1Ms)} ms (median of 7, 100 groups + datasets)`);

  const marginal = marginalResources();
  add('marginalResourcesPerInstance', marginal.marginal, '0', `ours +${marginal.ours}, L1 +${marginal.l1} per group with dataset`);

  const fixed = fixedResources();
  add('fixedResources', fixed.count, 'as few as the Provider allows', Object.entries(fixed.types).map(([t, n]) => `${n} ${t}`).join(', '));

  const sizes = bundleKb();
  for (const [service, kb] of Object.entries(sizes)) add(`bundleKb.${service}`, kb, '<= 300');
  for (const [file, kb] of Object.entries(lazyBundleKb())) {
    rows.push({ key: `lazy bundle ${file}`, value: kb, target: 'reported', baseline: 'loaded only by imports from local files' });
    results.lazyBundleKb = { ...(results.lazyBundleKb as object), [file]: kb };
  }

  const cold = coldInit(15);
  add('coldInitBaselineMs', round(cold.baselineMs), 'reported', 'node -e 0, median of 15');
  for (const service of Object.keys(cold.ms)) {
    add(`coldInitMs.${service}`, round(cold.ms[service]), 'reported', 'require(bundle), median of 15');
    add(`coldInitRatio.${service}`, round(cold.ratio[service], 2), '<= 2');
  }

  const ours = await measureWait(20);
  add('overshootMedianMs', ours.overshootMedianMs, '<= 1000', `${ours.samples} groups, 1 s query interval`);
  add('overshootP95Ms', ours.overshootP95Ms, 'reported');
  add('describeCallsPerMinute', ours.describeCallsPerMinute, '<= 60');
  const baseline = await measureWait(20, { queryIntervalSeconds: 5 });
  add('overshootMedianMsProviderDefault', baseline.overshootMedianMs, 'reported', `${baseline.samples} groups, 5 s query interval`);
  add('describeCallsPerMinuteProviderDefault', baseline.describeCallsPerMinute, 'reported');

  const parallel = await parallelDeploySpeedup();
  add('parallelDeploySpeedup', parallel.ratio, 'close to 1', `20 groups ${parallel.twentyMs} ms, 1 group ${parallel.oneMs} ms`);

  const scale = scaleLimit(600);
  add('scaleStackInstances', scale.instances, '>= 200', `next size fails on: ${scale.limitedBy}`);

  const width = Math.max(...rows.map((r) => r.key.length));
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(9)}  ${'target'.padEnd(30)}  baseline / notes`);
  for (const r of rows) {
    console.log(`${r.key.padEnd(width)}  ${String(r.value).padStart(9)}  ${r.target.padEnd(30)}  ${r.baseline ?? ''}`);
  }
  const out = path.join(__dirname, '..', 'bench-results.json');
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
