/**
 * What the lifecycle does about an error: one classification for every service, which adapters
 * may refine for errors only their service has (AgentCore's ConflictException reasons, say).
 * Throttling and transient failures are the SDK's own classification (the same its retry strategy
 * uses), so a call the SDK gave up retrying is judged as the SDK judged it.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

export type ErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'in-use' // blocked by another resource or a running job: try again later
  | 'not-ready' // the resource is still being created or updated: wait, then try again
  | 'throttled' // the service's request-rate limit (Personalize's LimitExceededException included)
  | 'transient' // a server error, a timeout, a connection that failed, or the invocation's time ran out
  | 'fatal';

/** Refines the classification for one service's errors; undefined leaves it to the generic rules. */
export type ErrorClassifier = (error: unknown) => ErrorKind | undefined;

interface ServiceErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException', 'NoSuchKey', 'NoSuchBucket', 'NotFound']);
const ALREADY_EXISTS = new Set(['ResourceAlreadyExistsException', 'AlreadyExistsException']);
const IN_USE = new Set(['ResourceInUseException']);
/** Ends of this invocation's own making: the call may go on in the next one. */
const OUT_OF_TIME = new Set(['OutOfTimeError', 'AbortError', 'TimeoutError']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/** Maps an error to what the lifecycle should do about it. */
export function classifyError(error: unknown, refine?: ErrorClassifier): ErrorKind {
  const specific = refine?.(error);
  if (specific) return specific;
  const e = (error ?? {}) as ServiceErrorShape;
  const name = e.name ?? '';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (ALREADY_EXISTS.has(name)) return 'already-exists';
  if (IN_USE.has(name)) return 'in-use';
  if (OUT_OF_TIME.has(name)) return 'transient';
  if (typeof error === 'object' && error !== null) {
    const sdkError = error as Parameters<typeof isThrottlingError>[0];
    if (isThrottlingError(sdkError)) return 'throttled';
    if (isServerError(sdkError) || isTransientError(sdkError)) return 'transient';
  }
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (e.code && NETWORK_CODES.has(e.code)) return 'transient';
  return 'fatal';
}

/** Whether waiting and asking again may succeed: the kinds isComplete answers "not yet" to. */
export function isPassing(kind: ErrorKind): boolean {
  return kind === 'in-use' || kind === 'not-ready' || kind === 'throttled' || kind === 'transient';
}

/** The service's own words: "<ErrorName>: <message>". */
export function describeError(error: unknown): string {
  const e = (error ?? {}) as ServiceErrorShape;
  const message = e.message || String(error);
  return e.name && e.name !== 'Error' && !message.startsWith(e.name) ? `${e.name}: ${message}` : message;
}

/** The text ended as a sentence: a service message that ends with a period gets no second one. */
export function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const LIFECYCLE_ERROR = 'LifecycleError';

/** An error that fails the CloudFormation operation, with a message written for the user. */
export class LifecycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = LIFECYCLE_ERROR;
  }
}

/**
 * Whether an error is a LifecycleError, by name: the service chunks of the bundle carry their own
 * copy of this module, so `instanceof` cannot tell.
 */
export function isLifecycleError(error: unknown): error is LifecycleError {
  return error instanceof Error && error.name === LIFECYCLE_ERROR;
}

/** The same service error (name, metadata) with a message written for the user. */
export function withMessage(error: unknown, message: string): Error {
  const copy = Object.assign(new Error(message), error as object);
  copy.message = message;
  copy.name = (error as Error)?.name ?? 'Error';
  return copy;
}
