/**
 * Waiting figures, measured in real time: the emulator moves each dataset group to ACTIVE after
 * its own delay, and the driver plays CloudFormation and the Provider framework with the query
 * interval as synthesized. Overshoot is the time from the emulator turning a group ACTIVE to the
 * isComplete call that reported it complete returning.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { median, percentile } from './synth';
import { Driver } from '../rehearsal/driver';
import { startEmulator } from '../rehearsal/emulator';
import { DatasetGroup } from '../src';

const CREDENTIALS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };

/** Synthesizes `groups` independent dataset groups; with `queryIntervalSeconds`, rewrites the waiter's interval. */
function synthGroups(groups: number, queryIntervalSeconds?: number): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-wait-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Wait');
  for (let i = 0; i < groups; i++) new DatasetGroup(stack, `Group${i}`);
  app.synth();
  if (queryIntervalSeconds !== undefined) {
    // The Provider framework's defaults (5 s interval, 30 minutes): the baseline we compare against.
    const file = path.join(outdir, 'Wait.template.json');
    const text = fs.readFileSync(file, 'utf8')
      .replace(/\\"IntervalSeconds\\":\d+/g, `\\"IntervalSeconds\\":${queryIntervalSeconds}`)
      .replace(/\\"MaxAttempts\\":\d+/g, `\\"MaxAttempts\\":${Math.round(1800 / queryIntervalSeconds)}`);
    fs.writeFileSync(file, text);
  }
  return outdir;
}

export interface WaitFigures {
  readonly samples: number;
  readonly overshootMedianMs: number;
  readonly overshootP95Ms: number;
  readonly describeCallsPerMinute: number;
  readonly deployMs: number;
}

/**
 * Deploys `groups` dataset groups whose creation takes between 1 and 4 seconds each (spread so
 * that ACTIVE falls anywhere between two polls), and measures each group's overshoot.
 */
export async function measureWait(groups: number, options: { queryIntervalSeconds?: number; spread?: boolean } = {}): Promise<WaitFigures> {
  const outdir = synthGroups(groups, options.queryIntervalSeconds);
  const emulator = await startEmulator({ delays: { step: 50 } });
  let driver: Driver | undefined;
  try {
    for (let i = 0; i < groups; i++) {
      // Two transition steps (PENDING > IN_PROGRESS > ACTIVE) of 0.5 to 2 s each when spread, 1 s each otherwise.
      const delayMs = options.spread === false ? 1000 : 500 + Math.round((1500 * ((i * 7919) % groups)) / groups);
      emulator.faults.add({ kind: 'slow', service: 'personalize', resource: new RegExp(`-Group${i}[A-F0-9]{8}-`), delayMs });
    }
    driver = new Driver({ env: { ...CREDENTIALS, ...emulator.env, CDK_DATASETS_MAX_ATTEMPTS: '3' } });
    const log = console.log;
    console.log = () => undefined; // the handlers' progress lines (CloudWatch Logs in Lambda)
    const started = Date.now();
    const result = await driver.deploy(outdir, 'Wait').finally(() => { console.log = log; });
    const deployMs = Date.now() - started;
    if (!result.ok) throw new Error(`deployment failed: ${result.failure?.reason}`);

    const overshoots: number[] = [];
    let waitingMs = 0;
    for (const [logicalId, physicalId] of Object.entries(driver.physicalIds())) {
      const calls = driver.record.calls.filter((c) => c.logicalId === logicalId && c.requestType === 'Create');
      const completed = calls.find((c) => c.handler === 'isComplete' && c.result?.IsComplete === true);
      const onEvent = calls.find((c) => c.handler === 'onEvent');
      const activeAt = emulator.activeAt(physicalId);
      if (!completed || !onEvent || activeAt === undefined) continue;
      overshoots.push(started + completed.startedMs + completed.durationMs - activeAt);
      waitingMs += completed.startedMs + completed.durationMs - (onEvent.startedMs + onEvent.durationMs);
    }
    const describes = emulator.calls({ service: 'personalize', operation: 'DescribeDatasetGroup' }).length;
    return {
      samples: overshoots.length,
      overshootMedianMs: Math.round(median(overshoots)),
      overshootP95Ms: Math.round(percentile(overshoots, 95)),
      describeCallsPerMinute: Math.round((describes / (waitingMs / 60_000)) * 10) / 10,
      deployMs,
    };
  } finally {
    await driver?.close();
    await emulator.close();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Deploy time of 20 independent groups against one, in the emulator: independent resources must not be serialised. */
export async function parallelDeploySpeedup(): Promise<{ oneMs: number; twentyMs: number; ratio: number }> {
  const one = await measureWait(1, { spread: false });
  const twenty = await measureWait(20, { spread: false });
  return { oneMs: one.deployMs, twentyMs: twenty.deployMs, ratio: Math.round((twenty.deployMs / one.deployMs) * 100) / 100 };
}
