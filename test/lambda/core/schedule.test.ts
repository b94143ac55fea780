/**
 * The spacing of status calls (lambda/core/schedule.ts) against the targets of issue 12: about one a
 * second while a wait is young (overshoot of a second or less), then at most a tenth of the wait's
 * age apart (overshoot at most 10% of the wait), and a 60-minute wait costing at most a quarter of
 * the calls of asking at every poll.
 */
import { isDueAt, StatusSchedule, YOUNG_WAIT_MS } from '../../../lambda/core/schedule';
import { STATUS_POLL_INTERVAL_MS } from '../../../src/contract';

const MINUTE = 60_000;
const KEY = 'stack|Resource|request';

/**
 * Polls one wait from its start to `untilMs` on a clock of our own, `gapMs` apart (the Provider's
 * interval plus the invocation's own time); returns the ages at which a status call was due.
 */
function dueAges(untilMs: number, gapMs = STATUS_POLL_INTERVAL_MS): number[] {
  const clock = { now: 0 };
  const schedule = new StatusSchedule(() => clock.now);
  const ages: number[] = [];
  for (; clock.now <= untilMs; clock.now += gapMs) {
    if (schedule.due(KEY, 0)) ages.push(clock.now);
  }
  return ages;
}

/** The overshoot of a resource that turns ready at `readyAtMs`: until the first due call at or after it. */
function overshoot(ages: number[], readyAtMs: number): number {
  const next = ages.find((age) => age >= readyAtMs);
  if (next === undefined) throw new Error(`no call after ${readyAtMs} ms`);
  return next - readyAtMs;
}

test('while the wait is young, every poll asks: a resource that turns ready is seen within a poll', () => {
  const ages = dueAges(YOUNG_WAIT_MS);
  expect(ages).toHaveLength(YOUNG_WAIT_MS / STATUS_POLL_INTERVAL_MS + 1);
  for (const readyAt of [500, 30_000, 61_700, 119_999]) expect(overshoot(ages, readyAt)).toBeLessThanOrEqual(STATUS_POLL_INTERVAL_MS);
});

test('a 60-minute wait costs at most a quarter of the calls of asking at every poll', () => {
  const spaced = dueAges(60 * MINUTE).length;
  const everyPoll = 60 * MINUTE / STATUS_POLL_INTERVAL_MS + 1;
  expect(spaced / everyPoll).toBeLessThanOrEqual(0.25);
  // 121 in the first two minutes, then points 10% of the age apart up to a minute.
  expect(spaced).toBeGreaterThan(121);
  expect(spaced).toBeLessThan(200);
});

test.each([
  ['polls exactly a second apart', 1_000],
  ['polls 1.3 s apart (each invocation takes time)', 1_300],
  ['polls 1.9 s apart', 1_900],
])('beyond two minutes the overshoot is at most a tenth of the wait, %s', (_, gapMs) => {
  const ages = dueAges(55 * MINUTE, gapMs);
  for (let readyAt = YOUNG_WAIT_MS; readyAt < 50 * MINUTE; readyAt += 7_919) {
    expect(overshoot(ages, readyAt)).toBeLessThanOrEqual(Math.max(0.1 * readyAt, gapMs) + gapMs);
  }
  // And no more than a minute between calls, however long the wait.
  const gaps = ages.slice(1).map((age, i) => age - ages[i]);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000 + gapMs);
});

test('a container that did not serve the previous poll asks when a point lies within one interval', () => {
  // Ages just past a point and far from any: due and not due, without memory of earlier polls.
  const ages = dueAges(10 * MINUTE);
  const point = ages.find((age) => age > 5 * MINUTE)!;
  expect(isDueAt(point)).toBe(true);
  expect(isDueAt(point + 5 * STATUS_POLL_INTERVAL_MS)).toBe(false);
  // With the previous poll remembered 1.5 intervals back, a point in between is not skipped.
  expect(isDueAt(point + STATUS_POLL_INTERVAL_MS / 2, point - STATUS_POLL_INTERVAL_MS)).toBe(true);
});

test('no status call is due before a throttled call has backed off; then the backoff grows to at most 15 s', () => {
  const clock = { now: 0 };
  const schedule = new StatusSchedule(() => clock.now, () => 1); // the largest jitter: 1.5x
  const holds: number[] = [];
  for (let i = 0; i < 6; i++) {
    schedule.observed(KEY, { throttled: true });
    const throttledAt = clock.now;
    while (!schedule.due(KEY, 0)) clock.now += 100;
    holds.push(clock.now - throttledAt);
  }
  expect(holds).toEqual([1_500, 3_000, 6_000, 12_000, 15_000, 15_000]);
  // An answer that is not throttled ends the backoff.
  schedule.observed(KEY, { status: 'CREATE IN_PROGRESS' });
  expect(schedule.due(KEY, 0)).toBe(true);
});

test('progress makes the wait young again: every poll asks for two minutes after it', () => {
  const clock = { now: 30 * MINUTE };
  const schedule = new StatusSchedule(() => clock.now);
  schedule.observed(KEY, { status: 'CREATE IN_PROGRESS' });
  schedule.observed(KEY, { status: 'ACTIVE' }); // a status change counts as progress
  let due = 0;
  for (let i = 0; i < 60; i++, clock.now += STATUS_POLL_INTERVAL_MS) if (schedule.due(KEY, 0)) due++;
  expect(due).toBe(60);
});
