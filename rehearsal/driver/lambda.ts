/**
 * Runs a Lambda function's handler in this process, the way the Node.js runtime would call it:
 * the payload and the result go through JSON, a thrown error becomes an error payload, and the
 * function's timeout ends the invocation.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerIdentity, Containers } from './containers';
import { UnsupportedError } from './intrinsics';

export interface LambdaFunction {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** `file.export`, e.g. `index.onEvent`. */
  readonly handler: string;
  readonly runtime: string;
  readonly codeDirectory: string;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
  /** The execution role's ARN, as resolved from the template. */
  readonly roleArn?: string;
}

/** What the Lambda Invoke API hands back: a payload, or an error payload (FunctionError set). */
export type InvokeOutcome =
  | { readonly payload: unknown; readonly error?: undefined }
  | { readonly error: { errorType: string; errorMessage: string; trace?: string[] } };

export interface LambdaHostOptions {
  /** Set in process.env before the first handler is loaded; these win over the functions' own variables. */
  readonly env: Record<string, string>;
  /** Also set each function's Environment.Variables (as resolved from the template) before loading it. */
  readonly functionEnvironment: boolean;
  readonly enforceTimeout: boolean;
  readonly requireModule: (file: string) => unknown;
  /**
   * Run each function in containers of its own (worker threads), as Lambda does, instead of in
   * this process: its own environment (its role's credentials), module instances and clock.
   */
  readonly containers?: { readonly runtime: Containers; identityOf(fn: LambdaFunction): ContainerIdentity };
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

export class LambdaHost {
  private readonly loaded = new Map<string, Handler>();
  private envApplied = false;

  constructor(private readonly options: LambdaHostOptions) {}

  /** Applies the given environment (once): handlers create their SDK clients from it when loaded. */
  applyEnv(): void {
    if (this.envApplied || this.options.containers) return;
    Object.assign(process.env, this.options.env);
    this.envApplied = true;
  }

  /**
   * Starts a function's container ahead of its first invocation (no-op in-process). A container's
   * start takes real time, which the rehearsal's clock stretches (50x at 0.02): the first status
   * check would otherwise come seconds late in simulated time.
   */
  warm(fn: LambdaFunction): void {
    const { containers } = this.options;
    if (containers && fn.runtime.startsWith('nodejs')) containers.runtime.start(fn, containers.identityOf(fn));
  }

  async invoke(fn: LambdaFunction, payload: unknown): Promise<InvokeOutcome> {
    const awsRequestId = crypto.randomUUID();
    const { containers } = this.options;
    if (containers) {
      if (!fn.runtime.startsWith('nodejs')) {
        throw new UnsupportedError(`${fn.logicalId}: runtime ${fn.runtime} cannot run here (Node.js handlers only)`);
      }
      return containers.runtime.invoke(fn, payload, containers.identityOf(fn), awsRequestId);
    }
    try {
      const handler = this.load(fn);
      const event = JSON.parse(JSON.stringify(payload));
      const deadline = Date.now() + fn.timeoutSeconds * 1000;
      const context = {
        functionName: fn.functionName,
        functionVersion: '$LATEST',
        invokedFunctionArn: fn.arn,
        memoryLimitInMB: '128',
        awsRequestId,
        logGroupName: `/aws/lambda/${fn.functionName}`,
        logStreamName: `rehearsal/${awsRequestId}`,
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      const result = await this.withTimeout(fn, awsRequestId, callHandler(handler, event, context));
      // What the Invoke API returns is JSON; an undefined result arrives as null.
      return { payload: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
    } catch (e: any) {
      if (e instanceof UnsupportedError) throw e;
      const isError = e instanceof Error;
      return {
        error: {
          errorType: isError ? e.name : typeof e,
          errorMessage: isError ? e.message : String(e),
          trace: isError && e.stack ? e.stack.split('\n') : undefined,
        },
      };
    }
  }

  private load(fn: LambdaFunction): Handler {
    const key = `${fn.codeDirectory}::${fn.handler}`;
    const cached = this.loaded.get(key);
    if (cached) return cached;
    if (!fn.runtime.startsWith('nodejs')) {
      throw new UnsupportedError(`${fn.logicalId}: runtime ${fn.runtime} cannot run in-process (Node.js handlers only)`);
    }
    // The Node.js runtime splits the handler at the first dot: module path, then the export (possibly nested).
    const dot = fn.handler.indexOf('.');
    const [modulePath, exportPath] = [fn.handler.slice(0, dot), fn.handler.slice(dot + 1)];
    const base = path.join(fn.codeDirectory, modulePath);
    const file = ['.js', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
    if (!file) {
      const esm = fs.existsSync(base + '.mjs') ? ' (ES module handlers are not supported)' : '';
      throw new UnsupportedError(`${fn.logicalId}: no ${modulePath}.js in ${fn.codeDirectory}${esm}`);
    }
    this.applyEnv();
    if (this.options.functionEnvironment) {
      for (const [k, v] of Object.entries(fn.environment)) {
        if (!(k in this.options.env)) process.env[k] = v;
      }
    }
    const mod = this.options.requireModule(file);
    const handler = exportPath.split('.').reduce<any>((obj, k) => obj?.[k], mod);
    if (typeof handler !== 'function') {
      throw new UnsupportedError(`${fn.logicalId}: ${file} does not export a function ${exportPath}`);
    }
    this.loaded.set(key, handler);
    return handler;
  }

  private async withTimeout<T>(fn: LambdaFunction, awsRequestId: string, work: Promise<T>): Promise<T> {
    if (!this.options.enforceTimeout) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `RequestId: ${awsRequestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`;
        reject(Object.assign(new Error(message), { name: 'Sandbox.Timedout', stack: undefined }));
      }, fn.timeoutSeconds * 1000);
      timer.unref();
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Calls an async handler, or a callback-style one (three parameters). */
function callHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const callback = (err: unknown, result?: unknown) => (err ? reject(err) : resolvePromise(result));
    try {
      const returned: any = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolvePromise, reject);
      else if (handler.length < 3) resolvePromise(returned);
    } catch (e) {
      reject(e);
    }
  });
}
