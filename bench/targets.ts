/**
 * The bench's targets, by figure key (as in bench-results.json): used by the bench's verdicts and
 * by the README's performance table, so that both judge a figure the same way.
 */

/** A target: how it reads, and whether a value meets it. */
export interface Target {
  readonly text: string;
  readonly met: (value: number) => boolean;
}

const atMost = (limit: number): Target => ({ text: `<= ${limit}`, met: (v) => v <= limit });
const atLeast = (limit: number): Target => ({ text: `>= ${limit}`, met: (v) => v >= limit });
const exactly = (expected: number): Target => ({ text: `= ${expected}`, met: (v) => v === expected });

const TARGETS: ReadonlyArray<readonly [RegExp, Target]> = [
  [/^synthRatioVsL1$/, atMost(1.3)],
  [/^marginalResourcesPerInstance$/, exactly(0)],
  [/^(bundleKb|lazyBundleKb)\./, atMost(300)],
  [/^coldInitRatio\./, atMost(1.5)],
  [/^overshootMedianMs$/, atMost(1000)],
  [/^describeCallsPerMinute$/, atMost(60)],
  [/^scale\.failedDeployments$/, exactly(0)],
  [/^overshootMedianMsWait2min$/, atMost(1000)],
  [/^statusCalls60minVsBefore$/, atMost(0.25)],
  [/^scaleStackInstances$/, atLeast(200)],
];

/** The figure's target; undefined for a figure that is reported only. */
export function targetOf(key: string): Target | undefined {
  return TARGETS.find(([pattern]) => pattern.test(key))?.[1];
}
