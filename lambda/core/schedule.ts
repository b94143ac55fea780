/**
 * When isComplete asks the service for a resource's status. The Provider framework calls isComplete
 * every second (the provider's query interval); asking the service every time would cost 60 status
 * calls a minute per resource, and a stack of many resources would meet the services' request-rate
 * limits. So a wait asks:
 *   - every second while it is young (the first two minutes): a usual create ends at most a second
 *     after the resource turns ACTIVE;
 *   - then at points spaced a tenth of the wait's age apart, at most a minute: a long wait (an
 *     import, a slow create) overshoots by at most a tenth of its length and costs a bounded
 *     number of calls;
 *   - later still after the service throttled a status call (growing, with jitter).
 * A poll at which no call is due answers "not yet" without calling the service.
 *
 * Due points follow from the wait's age alone, so polls served by different Lambda containers
 * agree; what a container remembers (progress, throttling) only ever brings a call forward or puts
 * it off for that container.
 */
import { STATUS_POLL_INTERVAL_MS } from '../../src/contract';

/** Every poll asks while the wait is younger than this. */
export const YOUNG_WAIT_MS = 2 * 60_000;
/** Beyond it, calls are spaced by this fraction of the wait's age... */
const SPACING_FRACTION = 0.1;
/** ...at most this far apart. */
const MAX_SPACING_MS = 60_000;
/**
 * After a throttled status call (which the SDK has already retried with its own backoff): 1 s,
 * doubling, at most 10 s, plus up to half of it again at random, so that many waits spread out.
 */
const FIRST_THROTTLE_BACKOFF_MS = 1_000;
const MAX_THROTTLE_BACKOFF_MS = 10_000;
/** Remembered waits per container, at most (the oldest are forgotten first). */
const MAX_REMEMBERED = 5_000;

/** The ages (ms) at which a status call is due once the wait is no longer young, up to `limitMs`. */
function duePoints(limitMs: number): number[] {
  const points: number[] = [];
  for (let age = YOUNG_WAIT_MS; age <= limitMs; age += Math.min(MAX_SPACING_MS, Math.max(STATUS_POLL_INTERVAL_MS, age * SPACING_FRACTION))) {
    points.push(age);
  }
  return points;
}

const POINTS = duePoints(2 * 60 * 60_000);

/**
 * Whether a status call is due for a wait of this age, polled every STATUS_POLL_INTERVAL_MS: a due
 * point lies since the previous poll, at `previousAgeMs` (when this container served it) or one
 * poll interval ago. Polls come a little more than an interval apart (each invocation takes time),
 * so a container that remembers its previous poll never skips a point that fell between two.
 */
export function isDueAt(ageMs: number, previousAgeMs = ageMs - STATUS_POLL_INTERVAL_MS): boolean {
  if (ageMs < YOUNG_WAIT_MS + STATUS_POLL_INTERVAL_MS) return true;
  // Due when a point lies in (previous poll, age].
  const after = Math.min(previousAgeMs, ageMs - STATUS_POLL_INTERVAL_MS);
  let low = 0;
  let high = POINTS.length;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (POINTS[mid] <= after) low = mid + 1;
    else high = mid;
  }
  return low < POINTS.length ? POINTS[low] <= ageMs : (ageMs - after) >= MAX_SPACING_MS;
}

interface Remembered {
  /** When the wait last made progress (a status change, a write): its age counts from then. */
  progressAt: number;
  lastStatus?: string;
  throttles: number;
  /** No status call before this (after throttling). */
  holdUntil: number;
  /** When this container last answered a poll of the wait. */
  polledAt?: number;
}

/** What one handler instance (one Lambda container) remembers of the waits it has served. */
export class StatusSchedule {
  private readonly waits = new Map<string, Remembered>();

  constructor(private readonly now: () => number, private readonly random: () => number = Math.random) {}

  /** Whether the wait (`key`, started at `startedAt`) should ask the service now. */
  public due(key: string, startedAt: number): boolean {
    const now = this.now();
    const remembered = this.waits.get(key) ?? this.remember(key, { progressAt: 0, throttles: 0, holdUntil: 0 });
    const previousPoll = remembered.polledAt;
    remembered.polledAt = now;
    if (now < remembered.holdUntil) return false;
    const anchor = Math.max(Number.isFinite(startedAt) ? startedAt : now, remembered.progressAt);
    // A poll this container did not see (another container served it) may lie in between: the
    // window is then the usual one interval.
    const previousAge = previousPoll !== undefined && now - previousPoll <= 2 * STATUS_POLL_INTERVAL_MS ? previousPoll - anchor : undefined;
    return isDueAt(now - anchor, previousAge);
  }

  /** After a status call: the status it saw (a change counts as progress), or that it was throttled. */
  public observed(key: string, outcome: { readonly status?: string; readonly throttled?: boolean; readonly progressed?: boolean }): void {
    const now = this.now();
    const remembered = this.waits.get(key) ?? this.remember(key, { progressAt: 0, throttles: 0, holdUntil: 0 });
    if (outcome.throttled) {
      remembered.throttles++;
      const backoff = Math.min(MAX_THROTTLE_BACKOFF_MS, FIRST_THROTTLE_BACKOFF_MS * 2 ** (remembered.throttles - 1));
      remembered.holdUntil = now + backoff * (1 + this.random() / 2);
      return;
    }
    remembered.throttles = 0;
    remembered.holdUntil = 0;
    if (outcome.progressed || (outcome.status !== undefined && remembered.lastStatus !== undefined && outcome.status !== remembered.lastStatus)) {
      remembered.progressAt = now;
    }
    if (outcome.status !== undefined) remembered.lastStatus = outcome.status;
  }

  /** The wait is over. */
  public forget(key: string): void {
    this.waits.delete(key);
  }

  private remember(key: string, entry: Remembered): Remembered {
    if (this.waits.size >= MAX_REMEMBERED) this.waits.delete(this.waits.keys().next().value as string);
    this.waits.set(key, entry);
    return entry;
  }
}
