/**
 * Waiting at scale, within the services' request-rate limits: 1, 20 and 200 dataset groups created
 * at once against the emulator with a per-account rate limit, the driver playing CloudFormation and
 * the Provider framework, and the handlers running on a scaled clock (containers at TIME_SCALE) so
 * that minutes of waiting take seconds. Every figure is in handler time (the clock the handlers,
 * the emulator's rate limit and the waiter share), not in the bench's own wall time.
 *
 * The rate: neither service documents one. The Personalize quotas page
 * (https://docs.aws.amazon.com/personalize/latest/dg/limits.html) lists data and resource-count
 * quotas and data-plane rates (GetRecommendations, PutEvents) but no control-plane rate; the SDK
 * model names LimitExceededException "The limit on the number of requests per second has been
 * exceeded" without a number. The AgentCore quotas page
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/bedrock-agentcore-limits.html)
 * gives rates for Runtime invocations, none for the evaluation dataset APIs. So the bench assumes
 * ASSUMED_REQUESTS_PER_SECOND for every operation of a service together, per account: more
 * conservative than the per-operation limits AWS control planes usually have.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { StatusSchedule } from '../lambda/core/schedule';
import { Driver } from '../rehearsal/driver';
import { startEmulator } from '../rehearsal/emulator';
import { DatasetGroup } from '../src';
import { STATUS_POLL_INTERVAL_MS } from '../src/contract';

/** Requests per second per account, per service: an assumption (see above). */
export const ASSUMED_REQUESTS_PER_SECOND = 10;
/** Real milliseconds per handler millisecond. */
const TIME_SCALE = 0.2;
const CREDENTIALS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
const MINUTE = 60_000;

export interface DeployFigures {
  readonly resources: number;
  readonly ok: boolean;
  readonly failure?: string;
  /** Handler ms from the start of the deployment to its end. */
  readonly deployMs: number;
  /** Calls the rate limit refused. */
  readonly throttledCalls: number;
  /** Handler ms from a group turning ACTIVE to the isComplete that reported it, one per group. */
  readonly overshootsMs: number[];
  /** DescribeDatasetGroup calls the service received (throttled ones included), one count per group. */
  readonly statusCallsPerResource: number[];
}

/**
 * Deploys `resources` dataset groups at once; each takes `createMs(i)` handler ms to turn ACTIVE.
 * `scale` is real ms per handler ms.
 */
export async function deployAtScale(resources: number, createMs: (i: number) => number, scale = TIME_SCALE): Promise<DeployFigures> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Scale');
  for (let i = 0; i < resources; i++) new DatasetGroup(stack, `Group${i}`);
  app.synth();

  const anchor = Date.now();
  const handlerClock = () => anchor + (Date.now() - anchor) / scale;
  const emulator = await startEmulator({
    delays: { step: 1 },
    rateLimit: {
      requestsPerSecond: { personalize: ASSUMED_REQUESTS_PER_SECOND, agentcore: ASSUMED_REQUESTS_PER_SECOND },
      now: handlerClock,
    },
  });
  const driver = new Driver({ env: { ...CREDENTIALS, ...emulator.env }, timeScale: scale });
  try {
    for (let i = 0; i < resources; i++) {
      // PENDING > IN_PROGRESS > ACTIVE: two steps, each half of the create time, in real ms.
      emulator.faults.add({ kind: 'slow', service: 'personalize', resource: new RegExp(`-Group${i}[A-F0-9]{8}-`), delayMs: (createMs(i) * scale) / 2 });
    }
    const started = Date.now();
    const result = await driver.deploy(outdir, 'Scale');
    const deployMs = (Date.now() - started) / scale;

    const overshootsMs: number[] = [];
    const statusCallsPerResource: number[] = [];
    const describes = emulator.calls({ service: 'personalize', operation: 'DescribeDatasetGroup' });
    for (const [logicalId, physicalId] of Object.entries(driver.physicalIds())) {
      const completed = driver.record.calls.find((c) => c.logicalId === logicalId && c.requestType === 'Create'
        && c.handler === 'isComplete' && c.result?.IsComplete === true);
      const activeAt = emulator.activeAt(physicalId);
      if (!completed || activeAt === undefined) continue;
      overshootsMs.push((started + completed.startedMs + completed.durationMs - activeAt) / scale);
      statusCallsPerResource.push(describes.filter((c) => c.resource === physicalId).length);
    }
    return {
      resources,
      ok: result.ok,
      failure: result.failure?.reason,
      deployMs: Math.round(deployMs),
      throttledCalls: emulator.throttled().total,
      overshootsMs,
      statusCallsPerResource,
    };
  } finally {
    await driver.close();
    await emulator.close();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Create times "usually a minute or two": spread evenly from 60 to 110 s, so ACTIVE falls anywhere between polls. */
export const usualCreateMs = (resources: number) => (i: number) => MINUTE + Math.round((50_000 * ((i * 7919) % resources)) / Math.max(1, resources));

/**
 * Status calls of one wait of `waitMs`, polled every STATUS_POLL_INTERVAL_MS on an injected clock:
 * by the handlers' schedule, and "before" it, when every poll called the service.
 */
export function statusCallsOfWait(waitMs: number): { scheduled: number; everyPoll: number } {
  const clock = { now: 0 };
  const schedule = new StatusSchedule(() => clock.now);
  let scheduled = 0;
  let everyPoll = 0;
  for (; clock.now <= waitMs; clock.now += STATUS_POLL_INTERVAL_MS) {
    everyPoll++;
    if (schedule.due('bench|wait|request', 0)) scheduled++;
  }
  return { scheduled, everyPoll };
}
