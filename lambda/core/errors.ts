import { ErrorKind, ResourceAdapter } from './types';

interface ServiceErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
  readonly code?: string;
}

const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFoundException']);
const ALREADY_EXISTS = new Set(['ResourceAlreadyExistsException', 'AlreadyExistsException']);
const IN_USE = new Set(['ResourceInUseException']);
const THROTTLED = new Set([
  'ThrottlingException', 'TooManyRequestsException', 'Throttling', 'RequestLimitExceeded',
  'ProvisionedThroughputExceededException', 'SlowDown',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError']);

/** Maps an SDK error to what the lifecycle should do about it. */
export function classifyError(error: unknown, adapter?: ResourceAdapter): ErrorKind {
  const specific = adapter?.classifyError?.(error);
  if (specific) return specific;
  const e = (error ?? {}) as ServiceErrorShape;
  const name = e.name ?? '';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (ALREADY_EXISTS.has(name)) return 'already-exists';
  if (IN_USE.has(name)) return 'in-use';
  if (THROTTLED.has(name) || e.$retryable?.throttling) return 'throttled';
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (NETWORK.has(name) || (e.code && NETWORK.has(e.code))) return 'transient';
  return 'fatal';
}

/** The service's own words: "<ErrorName>: <message>". */
export function describeError(error: unknown): string {
  const e = (error ?? {}) as ServiceErrorShape;
  const message = e.message || String(error);
  return e.name && e.name !== 'Error' && !message.startsWith(e.name) ? `${e.name}: ${message}` : message;
}

/** An error that fails the CloudFormation operation, with a message written for the user. */
export class LifecycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleError';
  }
}
