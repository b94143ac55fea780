/**
 * Faults that tests switch on at runtime. A fault matches calls by service, operation and resource
 * name, and applies to the next `times` matching calls (or to every one when `times` is absent).
 */
import type { ServiceName } from './state';

export type FaultKind =
  /** The request is refused: Personalize `ThrottlingException` (400), AgentCore `ThrottlingException` (429). */
  | 'throttle'
  /** The request fails with a server error (`status`, default 500). */
  | 'server-error'
  /** The request fails with any error: `error` (the code), `status` (default 400), `message`. */
  | 'error'
  /**
   * The transition the operation starts ends in failure with `reason`: CREATE FAILED / CREATE_FAILED
   * for creates, UPDATE FAILED (Personalize UpdateDataset) / UPDATE_FAILED (AgentCore example changes,
   * versions), DELETE_FAILED (AgentCore DeleteDataset).
   */
  | 'fail'
  /** The transition the operation starts takes `delayMs` per step. */
  | 'slow'
  /** The deletion the operation starts stays DELETE PENDING / DELETING until released. */
  | 'stuck-delete'
  /**
   * The delete is refused because the resource is in use: Personalize `ResourceInUseException`;
   * AgentCore `ConflictException` (REFERENCED_BY_EVAL_JOB: in use by an evaluation job).
   */
  | 'in-use'
  /**
   * The request is read and never answered: no status, no headers, and the connection stays open
   * until the client gives up (or the emulator closes). With `executes`, the operation runs first,
   * as when a create happened but its answer was lost; without, it does not run.
   */
  | 'no-response'
  /** The operation runs at once; its answer (success or error) is written `delayMs` later. */
  | 'slow-response';

/** Kinds checked before the operation runs; the others are applied by the operation itself. */
export const REQUEST_FAULTS: readonly FaultKind[] = ['throttle', 'server-error', 'error'];

/** Kinds that change how (or whether) the answer is delivered, for any operation of any service. */
export const DELIVERY_FAULTS: readonly FaultKind[] = ['no-response', 'slow-response'];

export interface FaultSpec {
  readonly kind: FaultKind;
  /** Only this service's calls. Personalize and AgentCore both have CreateDataset, DeleteDataset and the tag calls. */
  readonly service?: ServiceName;
  /** The operation(s), e.g. `DescribeDatasetGroup`. Absent: every operation the kind applies to. */
  readonly operation?: string | readonly string[];
  /** The resource: a RegExp tested against its name and ARN, or a string equal to either. */
  readonly resource?: string | RegExp;
  /** How many matching calls it applies to. Absent: all of them, until removed. */
  readonly times?: number;
  /** `fail`: the failureReason; `in-use`: added to the message. */
  readonly reason?: string;
  /** `slow`: milliseconds per transition step; `slow-response`: how long the answer is held back. */
  readonly delayMs?: number;
  /** `no-response`: the operation runs before its answer is lost. Default false: it does not run. */
  readonly executes?: boolean;
  /** `server-error` (default 500) and `error` (default 400): the HTTP status. */
  readonly status?: number;
  /** `error`: the error code, e.g. `LimitExceededException`. */
  readonly error?: string;
  /** `error`, `server-error`, `throttle`: the message. */
  readonly message?: string;
}

export interface Fault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** How many calls it has applied to. */
  readonly hits: number;
  /** How many more calls it will apply to (Infinity when `times` was absent). */
  readonly remaining: number;
  /** Stops it from applying to further calls. Held deletions stay held. */
  remove(): void;
  /** Removes it and lets the deletions it holds go on. */
  release(): void;
}

/** What a fault is matched against. */
export interface FaultTarget {
  readonly service: ServiceName;
  readonly operation: string;
  readonly name?: string;
  readonly arn?: string;
}

class FaultRule implements Fault {
  hits = 0;
  remaining: number;

  constructor(readonly id: number, readonly spec: FaultSpec, private readonly owner: Faults) {
    this.remaining = spec.times ?? Infinity;
  }

  remove(): void {
    this.owner.remove(this.id);
  }

  release(): void {
    this.owner.remove(this.id);
    this.owner.releaseHeld((held) => held.faultId === this.id);
  }

  matches(kinds: readonly FaultKind[], target: FaultTarget): boolean {
    const { spec } = this;
    if (this.remaining <= 0 || !kinds.includes(spec.kind)) return false;
    if (spec.service && spec.service !== target.service) return false;
    if (spec.operation !== undefined) {
      const operations = typeof spec.operation === 'string' ? [spec.operation] : spec.operation;
      if (!operations.includes(target.operation)) return false;
    }
    return spec.resource === undefined || matchesResource(spec.resource, target.name, target.arn);
  }
}

function matchesResource(pattern: string | RegExp, name?: string, arn?: string): boolean {
  const candidates = [name, arn].filter((v): v is string => v !== undefined);
  if (typeof pattern === 'string') return candidates.includes(pattern);
  return candidates.some((c) => {
    pattern.lastIndex = 0; // a global RegExp keeps state between test() calls
    return pattern.test(c);
  });
}

/** The runtime fault API (`emu.faults`). */
export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;

  constructor(
    /** Resumes held transitions; wired to the scheduler by the emulator. */
    private readonly resume: (match: (held: { faultId: number; arn: string; name: string }) => boolean) => number,
  ) {}

  add(spec: FaultSpec): Fault {
    if (spec.times !== undefined && !(spec.times >= 1)) throw new Error('fault times must be at least 1');
    if ((spec.kind === 'slow' || spec.kind === 'slow-response') && !(Number(spec.delayMs) >= 0)) {
      throw new Error(`a ${spec.kind} fault needs delayMs`);
    }
    if (spec.kind === 'error' && !spec.error) throw new Error('an error fault needs error (the error code)');
    const rule = new FaultRule(this.nextId++, spec, this);
    this.rules.push(rule);
    return rule;
  }

  list(): Fault[] {
    return [...this.rules];
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  /** Removes every fault. Held deletions stay held: see release(). */
  clear(): void {
    this.rules = [];
  }

  /**
   * Lets stuck deletions go on: all of them, or those of the resource (a name or ARN string, or a
   * RegExp). Returns how many were released.
   */
  release(resource?: string | RegExp): number {
    return this.releaseHeld((held) => resource === undefined || matchesResource(resource, held.name, held.arn));
  }

  /** @internal */
  releaseHeld(match: (held: { faultId: number; arn: string; name: string }) => boolean): number {
    return this.resume(match);
  }

  /**
   * The first fault of one of `kinds` that matches the call, counted as applied; undefined when
   * none does. Used by the HTTP layer (request faults) and the services (transition faults).
   */
  take(kinds: readonly FaultKind[], target: FaultTarget): Fault | undefined {
    const rule = this.rules.find((r) => r.matches(kinds, target));
    if (!rule) return undefined;
    rule.hits++;
    rule.remaining--;
    if (rule.remaining <= 0) this.remove(rule.id);
    return rule;
  }
}
