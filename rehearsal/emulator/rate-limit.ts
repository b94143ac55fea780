/**
 * Per-account request-rate limits, as the services enforce them: a token bucket per account and
 * service that refills at `requestsPerSecond` and holds at most `burst` requests. A request that
 * finds the bucket empty is refused with the service's throttling error and takes no token.
 *
 * Neither Personalize's control plane nor AgentCore's dataset APIs document a rate (see the
 * benchmark's notes), so the limit is the caller's choice; its errors are the services' own:
 *   - Personalize: LimitExceededException, "The limit on the number of requests per second has
 *     been exceeded." (its SDK model's own words), on the operations whose model declares it (the
 *     creates, TagResource); the others declare no such error, so they get the common
 *     ThrottlingException (HTTP 400 in awsJson1_1), as every AWS JSON API may answer.
 *   - AgentCore: ThrottlingException, HTTP 429 (declared by every dataset operation).
 *   - S3: SlowDown, HTTP 503.
 */
import { ApiError, ServiceName } from './state';

export interface RateLimitOptions {
  /** Requests per second per account, by service; a service not named is not limited. */
  readonly requestsPerSecond: Readonly<Partial<Record<ServiceName, number>>>;
  /** How many requests a full bucket lets through at once, by service. Default: one second's worth. */
  readonly burst?: Readonly<Partial<Record<ServiceName, number>>>;
  /**
   * The clock the buckets refill by (epoch ms). Default Date.now; a rehearsal whose handlers run
   * on a scaled clock passes the same clock, so that a limit per second is per handler second.
   */
  readonly now?: () => number;
}

/** What the rate limit did since the last reset. */
export interface ThrottleCounters {
  /** Requests refused by the rate limit. */
  readonly total: number;
  /** By service, then operation. */
  readonly byService: Readonly<Partial<Record<ServiceName, Readonly<Record<string, number>>>>>;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private throttled: Partial<Record<ServiceName, Record<string, number>>> = {};
  private total = 0;
  private readonly now: () => number;

  constructor(
    private readonly options: RateLimitOptions,
    /** Whether the operation's model declares the error (Personalize's LimitExceededException). */
    private readonly declares: (service: ServiceName, operation: string, error: string) => boolean,
  ) {
    for (const [service, rate] of Object.entries(options.requestsPerSecond)) {
      if (!(Number(rate) > 0)) throw new Error(`the request rate of ${service} must be above 0, not ${rate}`);
    }
    for (const [service, burst] of Object.entries(options.burst ?? {})) {
      if (!(Number(burst) >= 1)) throw new Error(`the burst of ${service} must be at least 1, not ${burst}`);
    }
    this.now = options.now ?? Date.now;
  }

  /** Takes a token for the request, or throws the service's throttling error (and counts it). */
  public admit(account: string, service: ServiceName, operation: string): void {
    const rate = this.options.requestsPerSecond[service];
    if (rate === undefined) return;
    const capacity = this.options.burst?.[service] ?? Math.max(1, rate);
    const key = `${account}/${service}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, refilledAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (Math.max(0, now - bucket.refilledAt) / 1000) * rate);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    this.total++;
    const counts = (this.throttled[service] ??= {});
    counts[operation] = (counts[operation] ?? 0) + 1;
    throw this.throttlingError(service, operation);
  }

  public counters(): ThrottleCounters {
    const byService: Partial<Record<ServiceName, Record<string, number>>> = {};
    for (const [service, counts] of Object.entries(this.throttled)) byService[service as ServiceName] = { ...counts };
    return { total: this.total, byService };
  }

  /** Full buckets, no throttled calls. */
  public reset(): void {
    this.buckets.clear();
    this.throttled = {};
    this.total = 0;
  }

  private throttlingError(service: ServiceName, operation: string): ApiError {
    switch (service) {
      case 'personalize':
        return this.declares(service, operation, 'LimitExceededException')
          ? new ApiError('LimitExceededException', 'The limit on the number of requests per second has been exceeded.', 400)
          : new ApiError('ThrottlingException', 'Rate exceeded', 400);
      case 's3':
        return new ApiError('SlowDown', 'Please reduce your request rate.', 503);
      default:
        return new ApiError('ThrottlingException', 'Rate exceeded', 429);
    }
  }
}
