/**
 * Lambda functions run the way Lambda runs them: each function in containers of its own, here a
 * worker thread, with its own environment (its role's credentials, its Environment.Variables, the
 * endpoints of the emulator), its own module instances, and a clock that runs at the rehearsal's
 * pace. An invocation that outlives the function's timeout is ended by stopping the container, as
 * Lambda does; the next invocation starts a new one (a cold start).
 *
 * The handler code is loaded from the asset directory as built, with Node's own loader: nothing is
 * written next to it.
 */
import { Worker } from 'worker_threads';
import type { InvokeOutcome, LambdaFunction } from './lambda';

export interface ContainerOptions {
  /** Environment every container starts with (endpoints, region); a function's own variables and credentials are added. */
  readonly env: Readonly<Record<string, string>>;
  /** Real milliseconds per handler millisecond: the handlers' clock and timers run at this pace. */
  readonly timeScale: number;
  /** The real moment at which the scaled clock reads real time. @default - the container's start */
  readonly clockAnchorMs?: number;
  /** Where the handlers' console output goes. */
  readonly log?: (line: string, fn: LambdaFunction) => void;
}

/** What a container needs beyond the function: its environment (credentials included). */
export interface ContainerIdentity {
  readonly env: Readonly<Record<string, string>>;
}

/** Runs in the worker: installs the rehearsal's clock, loads the handler, answers invocations. */
const BOOTSTRAP = `
const { parentPort, workerData } = require('worker_threads');
const path = require('path');
const scale = workerData.timeScale;
const RealDate = Date;
const anchor = workerData.clockAnchorMs ?? RealDate.now();
const now = () => anchor + (RealDate.now() - anchor) / scale;
class RehearsalDate extends RealDate {
  static now() { return now(); }
  constructor(...args) { if (args.length === 0) super(now()); else super(...args); }
}
globalThis.Date = RehearsalDate;
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
const scaled = (ms) => { const wanted = Number(ms || 0); return wanted > 0 ? Math.max(wanted * scale, Math.min(wanted, 10)) : wanted; };
globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, scaled(ms), ...args);
globalThis.setInterval = (fn, ms, ...args) => realSetInterval(fn, scaled(ms), ...args);
const format = (args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
for (const level of ['log', 'info', 'warn', 'error', 'debug']) console[level] = (...args) => parentPort.postMessage({ log: format(args) });
let handler;
let loadError;
function load() {
  const dot = workerData.handler.indexOf('.');
  const file = path.join(workerData.codeDirectory, workerData.handler.slice(0, dot));
  const mod = require(file);
  const fn = workerData.handler.slice(dot + 1).split('.').reduce((o, k) => (o == null ? o : o[k]), mod);
  if (typeof fn !== 'function') throw new Error(workerData.handler + ' is not a function of ' + file);
  return fn;
}
// Lambda's init phase: load the code before the first invocation, whose timeout starts after it.
try { handler = load(); } catch (e) { loadError = e; }
parentPort.postMessage({ ready: true });
parentPort.on('message', async ({ id, event, remainingMs, requestId }) => {
  try {
    if (loadError) throw loadError;
    const deadline = now() + remainingMs;
    const context = {
      functionName: workerData.functionName, functionVersion: '$LATEST', invokedFunctionArn: workerData.arn,
      memoryLimitInMB: '256', awsRequestId: requestId, callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - now())),
    };
    const result = await new Promise((resolve, reject) => {
      const returned = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    });
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (e) {
    const isError = e instanceof Error;
    parentPort.postMessage({ id, error: {
      errorType: isError ? e.name : typeof e, errorMessage: isError ? e.message : String(e),
      trace: isError && e.stack ? e.stack.split('\\n') : undefined,
    } });
  }
});
`;

/**
 * The least real time an invocation gets before its container is stopped. A scaled timeout of a few
 * milliseconds would otherwise stop handlers whose CPU work (not their waiting) is all that is slow,
 * as on a loaded test machine; a handler that keeps to its budget ends itself well before this.
 */
const MIN_REAL_TIMEOUT_MS = 2_000;

/** One warm container of a function. */
interface Container {
  readonly worker: Worker;
  /** Settles once the container has loaded the function's code (or failed to). */
  readonly ready: Promise<void>;
  readonly pending: Map<number, (outcome: InvokeOutcome) => void>;
}

export class Containers {
  private readonly warm = new Map<string, Container>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ContainerOptions) {}

  /** Invokes the function in its warm container, or a new one. */
  public async invoke(fn: LambdaFunction, payload: unknown, identity: ContainerIdentity, requestId: string): Promise<InvokeOutcome> {
    if (this.closed) return { error: { errorType: 'Rehearsal.Closed', errorMessage: 'the rehearsal closed this driver; nothing runs any more' } };
    const container = this.containerOf(fn, identity);
    const id = this.nextId++;
    const timeoutMs = fn.timeoutSeconds * 1000;
    await container.ready;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        // As Lambda does: the invocation fails, and its container is gone.
        container.pending.delete(id);
        this.stop(fn);
        resolve({ error: { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` } });
      }, Math.max(timeoutMs * this.options.timeScale, MIN_REAL_TIMEOUT_MS));
      timer.unref();
      container.pending.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      container.worker.postMessage({ id, event: JSON.parse(JSON.stringify(payload)), remainingMs: timeoutMs, requestId });
    });
  }

  /** Starts the function's container, if it has none, without invoking it. */
  public start(fn: LambdaFunction, identity: ContainerIdentity): void {
    if (!this.closed) this.containerOf(fn, identity);
  }

  /** Stops every container. */
  public async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.warm.values()].map((c) => c.worker);
    this.warm.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private containerOf(fn: LambdaFunction, identity: ContainerIdentity): Container {
    const existing = this.warm.get(fn.logicalId);
    if (existing) return existing;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      env: { ...this.options.env, ...fn.environment, ...identity.env },
      workerData: {
        handler: fn.handler,
        codeDirectory: fn.codeDirectory,
        functionName: fn.functionName,
        arn: fn.arn,
        timeScale: this.options.timeScale,
        clockAnchorMs: this.options.clockAnchorMs,
      },
    });
    worker.unref();
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => { markReady = resolve; });
    const container: Container = { worker, ready, pending: new Map() };
    worker.on('message', (message: { id?: number; ready?: boolean; log?: string; result?: unknown; error?: { errorType: string; errorMessage: string; trace?: string[] } }) => {
      if (message.ready) {
        markReady();
        return;
      }
      if (message.log !== undefined) {
        this.options.log?.(message.log, fn);
        return;
      }
      const settle = container.pending.get(message.id!);
      if (!settle) return;
      container.pending.delete(message.id!);
      settle(message.error ? { error: message.error } : { payload: message.result });
    });
    worker.on('error', (error) => {
      markReady();
      // A container that crashed fails what it was running; the next invocation starts a new one.
      for (const settle of container.pending.values()) settle({ error: { errorType: error.name, errorMessage: error.message } });
      container.pending.clear();
      if (this.warm.get(fn.logicalId) === container) this.warm.delete(fn.logicalId);
    });
    worker.on('exit', () => {
      // Stopped or exited: nothing it was running can still answer.
      markReady();
      for (const settle of container.pending.values()) settle({ error: { errorType: 'Runtime.ExitError', errorMessage: 'the container exited' } });
      container.pending.clear();
      if (this.warm.get(fn.logicalId) === container) this.warm.delete(fn.logicalId);
    });
    this.warm.set(fn.logicalId, container);
    return container;
  }

  private stop(fn: LambdaFunction): void {
    const container = this.warm.get(fn.logicalId);
    if (!container) return;
    this.warm.delete(fn.logicalId);
    void container.worker.terminate();
  }
}
