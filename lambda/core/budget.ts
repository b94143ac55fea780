/**
 * The time one handler invocation may spend: what its Lambda function has left, less a reserve to
 * answer in. Under the Provider framework any error of isComplete (a Lambda timeout included) fails
 * the resource, so every service call of an invocation is bounded by its budget: the call's HTTP
 * request is aborted, and the SDK's retry backoff is cut short, when the budget runs out. isComplete
 * then answers "not yet" and the next poll carries on.
 *
 * The budget of the running invocation is found through an AsyncLocalStorage kept on the global
 * object, so that code bundled into a lazily loaded chunk (the SDK clients) sees the same one.
 */
import { AsyncLocalStorage } from 'async_hooks';

/** When the invocation has no Lambda context (a direct call): the isComplete function's timeout. */
const DEFAULT_REMAINING_MS = 60_000;
/** Kept back from the Lambda timeout to log and answer: a fifth of the time left, from 100 ms to 5 s. */
const MIN_RESERVE_MS = 100;
const MAX_RESERVE_MS = 5_000;

/** What the Lambda runtime passes as the second argument of a handler (only what is used). */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export class InvocationBudget {
  /** Aborted when the budget runs out: in-flight requests end with it. */
  public readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private expiredCallbacks: Array<() => void> = [];

  constructor(public readonly deadline: number) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - Date.now()));
    // The budget never keeps a process alive on its own.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Milliseconds left, at least 0. */
  public remaining(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  public get expired(): boolean {
    return this.signal.aborted;
  }

  /**
   * The work, or an OutOfTimeError once the budget runs out, whichever comes first. Work that is
   * cut short goes on in the background (its requests are aborted), and its result is dropped.
   */
  public race<T>(work: Promise<T>, what: string): Promise<T> {
    if (this.expired) {
      work.catch(() => undefined);
      return Promise.reject(new OutOfTimeError(what));
    }
    return new Promise<T>((resolve, reject) => {
      const onExpired = () => reject(new OutOfTimeError(what));
      this.expiredCallbacks.push(onExpired);
      work.then(resolve, reject).finally(() => {
        this.expiredCallbacks = this.expiredCallbacks.filter((c) => c !== onExpired);
      });
    });
  }

  /** Ends the budget's timer (the invocation is over). */
  public close(): void {
    clearTimeout(this.timer);
    this.expiredCallbacks = [];
  }

  private expire(): void {
    this.controller.abort(new OutOfTimeError('the invocation'));
    const callbacks = this.expiredCallbacks;
    this.expiredCallbacks = [];
    callbacks.forEach((c) => c());
  }
}

/** A call that the invocation's budget ended: not an answer from the service. */
export class OutOfTimeError extends Error {
  constructor(what: string) {
    super(`${what} did not finish within this invocation's time (the Lambda function's timeout, less a reserve to answer)`);
    this.name = 'OutOfTimeError';
  }
}

const STORAGE_KEY = Symbol.for('cdk-datasets.invocation-budget');
const storage: AsyncLocalStorage<InvocationBudget> =
  ((globalThis as Record<symbol, unknown>)[STORAGE_KEY] as AsyncLocalStorage<InvocationBudget> | undefined)
  ?? ((globalThis as Record<symbol, unknown>)[STORAGE_KEY] = new AsyncLocalStorage<InvocationBudget>()) as AsyncLocalStorage<InvocationBudget>;

/** The budget of the invocation running now, if any. */
export function currentBudget(): InvocationBudget | undefined {
  return storage.getStore();
}

/** The milliseconds to keep back from `remaining`: a fifth, from 100 ms to 5 s. */
export function reserveFor(remaining: number): number {
  return Math.min(MAX_RESERVE_MS, Math.max(MIN_RESERVE_MS, remaining / 5));
}

/** Runs one handler invocation within the time its Lambda context says it has left. */
export async function withinBudget<T>(context: LambdaContext | undefined, work: () => Promise<T>): Promise<T> {
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_REMAINING_MS;
  const budget = new InvocationBudget(Date.now() + Math.max(0, remaining - reserveFor(remaining)));
  try {
    return await storage.run(budget, work);
  } finally {
    budget.close();
  }
}
