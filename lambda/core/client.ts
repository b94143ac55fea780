/**
 * What every SDK client of the handlers is made with: the SDK's own retry strategy, timeouts that
 * actually end a request, and the invocation's budget (see budget.ts). No endpoint is set here: the
 * SDK honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> by itself.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import { currentBudget } from './budget';

/** A connection that is not up within this is given up (and retried by the SDK). */
const CONNECTION_TIMEOUT_MS = 3_000;
/**
 * A request that has no answer within this is given up (and retried by the SDK). The control
 * APIs answer in well under a second; the largest requests (4 MiB of examples) take a few.
 */
const REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * The Node.js HTTP handler, with each request bounded by the running invocation's budget as well:
 * aborted when the budget runs out, and given no longer than the budget has left.
 */
class BudgetedHttpHandler extends NodeHttpHandler {
  constructor(private readonly requestTimeout: number) {
    super({ connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout, throwOnRequestTimeout: true });
  }

  public override handle(request: Parameters<NodeHttpHandler['handle']>[0], options: HttpHandlerOptions = {}) {
    const budget = currentBudget();
    if (!budget) return super.handle(request, options);
    return super.handle(request, {
      ...options,
      abortSignal: options.abortSignal ?? budget.signal,
      requestTimeout: Math.max(1, Math.min(options.requestTimeout ?? this.requestTimeout, budget.remaining())),
    });
  }
}

/** The configuration every client is made with; a request may take up to `requestTimeout` ms. */
export function clientConfig(requestTimeout = REQUEST_TIMEOUT_MS) {
  return {
    // The SDK's own retry strategy: exponential backoff with jitter, slower after throttling
    // (LimitExceededException included), and (adaptive mode) a client-side rate limit when the
    // service keeps throttling.
    retryMode: 'adaptive' as const,
    maxAttempts: Number(process.env.CDK_DATASETS_MAX_ATTEMPTS ?? DEFAULT_MAX_ATTEMPTS),
    customUserAgent: 'cdk-datasets',
    // requestTimeout alone only logs a warning in the installed SDK: throwOnRequestTimeout makes it
    // an error the SDK retries.
    requestHandler: new BudgetedHttpHandler(requestTimeout),
  };
}

interface MiddlewareClient {
  readonly middlewareStack: {
    add(middleware: (next: (args: any) => Promise<any>, context: { commandName?: string }) => (args: any) => Promise<any>,
      options: { step: 'initialize'; name: string; priority?: 'high' }): void;
  };
}

/**
 * Makes each call of the client end with the invocation's budget, retries and their backoff
 * included: the call then fails with OutOfTimeError, which isComplete takes as "not yet".
 */
export function bounded<C extends MiddlewareClient>(client: C): C {
  client.middlewareStack.add((next, context) => (args) => {
    const budget = currentBudget();
    return budget ? budget.race(next(args), context.commandName ?? 'a service call') : next(args);
  }, { step: 'initialize', name: 'cdkDatasetsInvocationBudget', priority: 'high' });
  return client;
}
