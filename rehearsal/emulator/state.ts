/**
 * What the emulated services share: the error type a handler throws, the timer that drives
 * status transitions, and the record of every resource and call that tests and the benchmark read.
 */

import { randomUUID } from 'crypto';
import type { Faults } from './faults';

export type ServiceName = 'personalize' | 'agentcore' | 's3';

/** A service error: the HTTP layer writes it in the service's own wire format. */
export class ApiError extends Error {
  constructor(
    /** The error's shape name, e.g. `ResourceNotFoundException`; the SDK's error `name`. */
    readonly code: string,
    message: string,
    /** HTTP status; each service has its default for the code. */
    readonly status?: number,
    /** Extra members of the error body, e.g. ValidationException's `reason`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** How long each step of a status transition takes. */
export interface DelayOptions {
  /** Milliseconds per step (e.g. CREATE PENDING > CREATE IN_PROGRESS). Default 20. */
  readonly step?: number;
  /** Per-operation step delay, e.g. `{ CreateDatasetImportJob: 200 }`; wins over `step`. */
  readonly operations?: Readonly<Record<string, number>>;
}

export const DEFAULT_STEP_MS = 20;

/** A resource as the inspection API shows it. */
export interface ResourceInfo {
  readonly service: ServiceName;
  /** `dataset-group`, `schema`, `dataset`, `dataset-import-job`, `event-tracker` (Personalize) or `evaluation-dataset` (AgentCore). */
  readonly type: string;
  /** The ARN. */
  readonly arn: string;
  /** The service's own id: the ARN for Personalize, the datasetId for AgentCore. */
  readonly id: string;
  readonly name: string;
  /**
   * The status that matters for the resource's lifecycle: the service's status, or for a
   * Personalize dataset with a schema update under way, the update's status. `DELETED` once gone.
   */
  status: string;
  failureReason?: string;
  readonly createdAt: number;
  /** The last moment the resource turned ACTIVE (after a create, an update or an example change). */
  activeAt?: number;
  deletedAt?: number;
  /** Every status the resource went through, with the moment it did. */
  readonly history: { status: string; at: number }[];
}

/** One request the emulator received. */
export interface CallRecord {
  readonly seq: number;
  /** The request id the answer carries (x-amzn-requestid; S3: x-amz-request-id and RequestId). */
  readonly requestId: string;
  readonly service: ServiceName | 'unknown';
  readonly operation: string;
  /** When the request arrived (epoch ms). */
  readonly time: number;
  /** The resource's ARN, when the request names one that exists (or is being created). */
  resource?: string;
  /** The resource's name, when known. */
  name?: string;
  httpStatus?: number;
  /** The error code returned, if any. */
  error?: string;
  /** Whether the caller's policies were checked (a principal was known for its access key). */
  checked?: boolean;
  /** The IAM request that was denied, when the call got AccessDenied from the IAM check. */
  denied?: { readonly action: string; readonly resource: string };
  /** Whether the account's request-rate limit refused the call (the emulator's `rateLimit`). */
  rateLimited?: boolean;
  /** For Describe/Get calls: the status the response showed. */
  observed?: string;
  durationMs?: number;
  /** A fault that changed how the call was answered: `no-response` (never answered) or `slow-response`. */
  delivery?: 'no-response' | 'slow-response';
}

/** The record of resources and calls. Services write to it; the inspection API reads it. */
export class Inspector {
  private readonly byArn = new Map<string, ResourceInfo>();
  private readonly log: CallRecord[] = [];

  /** `now`: the services' clock, so that what is recorded and what is reported agree. */
  constructor(readonly now: () => number = Date.now) {}

  track(service: ServiceName, type: string, arn: string, id: string, name: string, status: string, at = this.now()): void {
    const activeAt = status === 'ACTIVE' ? at : undefined; // schemas are ACTIVE at once
    this.byArn.set(arn, { service, type, arn, id, name, status, createdAt: at, activeAt, history: [{ status, at }] });
  }

  setStatus(arn: string, status: string, failureReason?: string): void {
    const info = this.byArn.get(arn);
    if (!info) return;
    const at = this.now();
    info.status = status;
    info.failureReason = failureReason;
    info.history.push({ status, at });
    if (status === 'ACTIVE') info.activeAt = at;
  }

  gone(arn: string): void {
    this.setStatus(arn, 'DELETED');
    const info = this.byArn.get(arn);
    if (info) info.deletedAt = this.now();
  }

  resources(): ResourceInfo[] {
    return [...this.byArn.values()];
  }

  /** By ARN, service id, or name (the most recent resource of that name). */
  find(ref: string): ResourceInfo | undefined {
    const exact = this.byArn.get(ref);
    if (exact) return exact;
    const all = this.resources().reverse();
    return all.find((r) => r.id === ref) ?? all.find((r) => r.name === ref);
  }

  startCall(service: CallRecord['service'], operation: string): CallRecord {
    const call: CallRecord = { seq: this.log.length + 1, requestId: randomUUID(), service, operation, time: this.now() };
    this.log.push(call);
    return call;
  }

  calls(): CallRecord[] {
    return [...this.log];
  }

  reset(): void {
    this.byArn.clear();
    this.log.length = 0;
  }
}

/** A transition held by a fault (a stuck deletion) until released. */
interface HeldTransition {
  readonly faultId: number;
  readonly arn: string;
  readonly name: string;
  readonly resume: () => void;
}

/**
 * Runs status transitions on timers, so that tests see every intermediate status. Every timer is
 * tracked so that reset() and close() leave nothing running.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: HeldTransition[] = [];

  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Runs the steps one after another, each `delay` ms after the previous one. */
  chain(delay: number, steps: Array<() => void>): void {
    const [first, ...rest] = steps;
    if (!first) return;
    this.after(delay, () => {
      first();
      this.chain(delay, rest);
    });
  }

  /** Parks a transition until release() lets it go on. */
  hold(faultId: number, arn: string, name: string, resume: () => void): void {
    this.held.push({ faultId, arn, name, resume });
  }

  /** Resumes the held transitions that match; returns how many. */
  release(match: (held: { faultId: number; arn: string; name: string }) => boolean): number {
    const released = this.held.filter(match);
    this.held = this.held.filter((h) => !released.includes(h));
    released.forEach((h) => h.resume());
    return released.length;
  }

  heldCount(): number {
    return this.held.length;
  }

  clear(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
    this.held = [];
  }
}

/** Page tokens: opaque to clients, checked on the way back in. */
export function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken(token: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Epoch milliseconds to the epoch-seconds numbers both JSON protocols use for timestamps. */
export function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** Resource quotas the emulator enforces; absent means no limit. */
export interface Limits {
  /** Personalize dataset groups (LimitExceededException beyond it). */
  readonly datasetGroups?: number;
  /** Personalize schemas (LimitExceededException beyond it). */
  readonly schemas?: number;
  /** AgentCore datasets (ServiceQuotaExceededException beyond it). */
  readonly evaluationDatasets?: number;
}

/** What the services share at runtime. */
export interface Runtime {
  readonly account: string;
  readonly delays: DelayOptions;
  readonly limits: Limits;
  readonly inspector: Inspector;
  readonly scheduler: Scheduler;
  readonly faults: Faults;
  /** The services' clock: the times they report (createdAt, updatedAt, lastModified). */
  readonly now: () => number;
}

/** One request being handled: the signing region, and the call record to annotate. */
export interface CallContext {
  readonly region: string;
  readonly call: CallRecord;
  /** The access key id the request was signed with (SigV4), if it was signed. */
  readonly accessKeyId?: string;
}

/** One authorization a call needs: the IAM action, the resource ARN (or '*'), and the request's condition keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * What every emulated service gives the IAM check: the requests a call makes, derived from the
 * operation and its input before the operation runs (IAM authorizes before the service acts). It
 * may throw the service's own validation error when the input cannot name a resource (a malformed
 * ARN), as AWS validates a request before it authorizes it.
 */
export interface AuthorizingService {
  authorization(operation: string, input: Record<string, any>, ctx: CallContext): IamRequest[];
}

/** The step delay for a transition: a matching `slow` fault, else the configured delays. */
export function stepDelay(rt: Runtime, service: ServiceName, operation: string, name: string, arn: string): number {
  const slow = rt.faults.take(['slow'], { service, operation, name, arn });
  if (slow) return slow.spec.delayMs!;
  return rt.delays.operations?.[operation] ?? rt.delays.step ?? DEFAULT_STEP_MS;
}
