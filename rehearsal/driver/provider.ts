/**
 * The custom_resources.Provider framework, re-enacted: what its onEvent, isComplete and onTimeout
 * Lambda functions and the waiter state machine do with a CloudFormation request, written after
 * aws-cdk-lib/custom-resources/lib/provider-framework/runtime (framework.js, cfn-response.js) so that
 * user handlers see the same events and CloudFormation the same responses.
 */
import { InvokeOutcome, LambdaFunction, LambdaHost } from './lambda';
import { CfnRequest, CfnResponse } from './types';

/** The physical id the framework answers a failed Create with, so that the Delete that follows is ignored. */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

export interface ProviderSpec {
  readonly frameworkLogicalId: string;
  readonly onEvent: LambdaFunction;
  readonly isComplete?: LambdaFunction;
  /** The waiter state machine's Retry: IntervalSeconds, MaxAttempts, BackoffRate. */
  readonly waiter?: {
    readonly stateMachineLogicalId: string;
    readonly intervalSeconds: number;
    readonly maxAttempts: number;
    readonly backoffRate: number;
  };
}

/** A user handler invocation, as reported to the driver. */
export interface ProviderCall {
  readonly handler: 'onEvent' | 'isComplete';
  readonly functionLogicalId: string;
  readonly attempt: number;
  readonly event: Record<string, any>;
  readonly outcome: InvokeOutcome;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly simulatedMs: number;
}

export interface ProviderRun {
  readonly host: LambdaHost;
  readonly timeScale: number;
  /** How many times the user onEvent is invoked with the same event (1 + retries). */
  readonly onEventInvocations: number;
  /** CloudFormation's ServiceTimeout for the request: no response by then and it gives up. */
  readonly serviceTimeoutMs: number;
  readonly onCall: (call: ProviderCall) => void;
}

export type ProviderOutcome =
  | { readonly kind: 'response'; readonly body: CfnResponse; readonly simulatedMs: number; readonly handledBy: 'handlers' | 'framework' }
  | { readonly kind: 'no-response'; readonly simulatedMs: number };

/** Thrown by the framework's isComplete to make the state machine retry (cfn-response.js Retry). */
const RETRY = Symbol('Retry');

export async function runProvider(request: CfnRequest, spec: ProviderSpec, run: ProviderRun): Promise<ProviderOutcome> {
  let simulatedMs = 0; // time since CloudFormation sent the request: handler run time plus the waits

  const respond = (status: 'SUCCESS' | 'FAILED', event: any, reason?: string, noEcho?: boolean): ProviderOutcome => {
    if (simulatedMs > run.serviceTimeoutMs) return { kind: 'no-response', simulatedMs: run.serviceTimeoutMs };
    const body: CfnResponse = {
      Status: status,
      Reason: reason || status,
      StackId: event.StackId,
      RequestId: event.RequestId,
      PhysicalResourceId: event.PhysicalResourceId || MISSING_PHYSICAL_ID_MARKER,
      LogicalResourceId: event.LogicalResourceId,
      NoEcho: noEcho || event.NoEcho ? true : undefined,
      Data: event.Data,
    };
    return { kind: 'response', body: JSON.parse(JSON.stringify(body)), simulatedMs, handledBy: 'handlers' };
  };

  // safeHandler's catch: a Create that failed before it had a physical id answers with the marker.
  const failed = (event: any, e: any): ProviderOutcome => {
    const answered = { ...event };
    if (!answered.PhysicalResourceId && answered.RequestType === 'Create') answered.PhysicalResourceId = CREATE_FAILED_MARKER;
    return respond('FAILED', answered, e?.stack ?? String(e));
  };

  // invokeUserFunction: the Lambda Invoke API, and a function error turned into the framework's message.
  const invokeUser = async (handler: 'onEvent' | 'isComplete', fn: LambdaFunction, event: object, attempt: number): Promise<any> => {
    const startedAt = Date.now();
    const at = simulatedMs;
    const outcome = await run.host.invoke(fn, event);
    const durationMs = Date.now() - startedAt;
    simulatedMs += durationMs;
    const copy = JSON.parse(JSON.stringify(event));
    run.onCall({ handler, functionLogicalId: fn.logicalId, attempt, event: copy, outcome, startedAt, durationMs, simulatedMs: at });
    if (outcome.error) {
      const functionName = fn.arn.split(':').pop();
      const message = [outcome.error.errorMessage || 'error', '', `Logs: /aws/lambda/${functionName}`, ''].join('\n');
      const e = new Error(message);
      e.stack = outcome.error.trace ? [message, ...outcome.error.trace.slice(1)].join('\n') : `Error: ${message}`;
      throw e;
    }
    return outcome.payload;
  };

  // The framework onEvent function.
  if (request.RequestType === 'Delete' && request.PhysicalResourceId === CREATE_FAILED_MARKER) {
    const outcome = respond('SUCCESS', request);
    return outcome.kind === 'response' ? { ...outcome, handledBy: 'framework' } : outcome;
  }
  let resourceEvent: any;
  try {
    let onEventResult: any;
    let lastError: unknown;
    if (spec.isComplete) run.host.warm(spec.isComplete);
    for (let attempt = 0; attempt < run.onEventInvocations; attempt++) {
      // A retried invocation carries the very same event; only the last one's outcome counts.
      try {
        onEventResult = await invokeUser('onEvent', spec.onEvent, request, attempt);
        lastError = undefined;
      } catch (e) {
        lastError = e;
      }
    }
    if (lastError) throw lastError;
    resourceEvent = createResponseEvent(request, onEventResult);
    if (!spec.isComplete) return respond('SUCCESS', resourceEvent, undefined, resourceEvent.NoEcho);
    if (!spec.waiter) throw new Error('The environment variable "WAITER_STATE_MACHINE_ARN" is not defined');
  } catch (e) {
    return failed(request, e);
  }

  // The waiter state machine, started with the response event as its input (JSON).
  const isCompleteFn = spec.isComplete!;
  const waiter = spec.waiter!;
  const input = JSON.parse(JSON.stringify(resourceEvent));
  const isCompleteOnce = async (attempt: number): Promise<ProviderOutcome | typeof RETRY> => {
    try {
      const result = await invokeUser('isComplete', isCompleteFn, input, attempt);
      if (!result.IsComplete) {
        if (result.Data && Object.keys(result.Data).length > 0) throw new Error('"Data" is not allowed if "IsComplete" is "False"');
        return RETRY;
      }
      // Every key of the isComplete result is merged over the event; Data is merged key by key.
      const response = { ...input, ...result, Data: { ...input.Data, ...result.Data } };
      return respond('SUCCESS', response, undefined, input.NoEcho);
    } catch (e) {
      return failed(input, e);
    }
  };
  for (let attempt = 0; ; attempt++) {
    const outcome = await isCompleteOnce(attempt);
    if (outcome !== RETRY) return outcome;
    // Retry: States.ALL, MaxAttempts retries after the first try, then Catch -> the onTimeout function.
    if (attempt >= waiter.maxAttempts) return respond('FAILED', input, 'Operation timed out');
    const waitMs = waiter.intervalSeconds * 1000 * waiter.backoffRate ** attempt;
    if (simulatedMs + waitMs >= run.serviceTimeoutMs) return { kind: 'no-response', simulatedMs: run.serviceTimeoutMs };
    await sleep(waitMs * run.timeScale);
    simulatedMs += waitMs;
  }
}

/** framework.js createResponseEvent: the onEvent result merged over the request, with a physical id. */
function createResponseEvent(request: CfnRequest, onEventResult: any): any {
  const result = onEventResult || {};
  const physicalResourceId = result.PhysicalResourceId || defaultPhysicalResourceId(request);
  if (request.RequestType === 'Delete' && physicalResourceId !== request.PhysicalResourceId) {
    throw new Error(`DELETE: cannot change the physical resource ID from "${request.PhysicalResourceId}" to "${result.PhysicalResourceId}" during deletion`);
  }
  return { ...request, ...result, PhysicalResourceId: physicalResourceId };
}

function defaultPhysicalResourceId(request: CfnRequest): string | undefined {
  switch (request.RequestType) {
    case 'Create':
      return request.RequestId;
    case 'Update':
    case 'Delete':
      return request.PhysicalResourceId;
    default:
      throw new Error(`Invalid "RequestType" in request "${JSON.stringify(request)}"`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}
