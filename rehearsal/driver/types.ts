/**
 * The driver's public types: options, the CloudFormation request/response shapes, and what it records.
 */

export type RequestType = 'Create' | 'Update' | 'Delete';
export type OperationName = 'deploy' | 'update' | 'destroy';

/** The request CloudFormation sends to a custom resource's service token. */
export interface CfnRequest {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
}

/** The response body the provider framework PUTs to the ResponseURL. */
export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

export interface DriverOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
  /**
   * Environment variables set in process.env before the first handler is loaded (handlers create
   * their SDK clients from them): AWS_ENDPOINT_URL, AWS_REGION, credentials...
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Also set each handler function's own Environment.Variables from the template (resolved)
   * before loading it. Variables in `env` win.
   * @default true
   */
  readonly functionEnvironment?: boolean;
  /**
   * Multiplies every simulated wait (the waiter state machine's retry intervals). Handlers run at
   * real speed. `0.01` turns a 10 s query interval into 100 ms.
   * @default 1
   */
  readonly timeScale?: number;
  /**
   * How many extra times to invoke the user onEvent handler with the very same event (same
   * RequestId) for a request, as when Lambda retries the framework's invocation. Only the last
   * invocation's outcome counts.
   * @default - never
   */
  readonly retryOnEvent?: (request: CfnRequest) => number;
  /**
   * End a handler invocation after the function's Timeout (real seconds), as Lambda does.
   * @default true
   */
  readonly enforceLambdaTimeout?: boolean;
  /** Called for every resource and stack status change. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Values for template parameters (otherwise their Default). */
  readonly parameters?: Record<string, string>;
  /** Values for Fn::ImportValue, by export name. */
  readonly imports?: Record<string, string>;
  /**
   * Custom resources whose service token is not a Provider framework function in the same stack
   * (a plain Lambda function, an SNS topic, an imported ARN): 'simulate' succeeds them with no
   * Data; 'fail' fails them.
   * @default 'simulate'
   */
  readonly unknownServiceTokens?: 'simulate' | 'fail';
  /**
   * Custom resources to stand in for instead of running their handlers, even when their service
   * token is a Provider in the stack (someone else's custom resources, in a rehearsal of ours):
   * they succeed with a generated physical id, and each attribute asked of them is a synthetic value.
   * @default - none: every Provider's handlers run
   */
  readonly standIn?: (resourceType: string) => boolean;
  /**
   * Loads a handler module, in this process (isolation 'in-process'). The default is this module's
   * `require` (under jest, jest's module registry, so a handler and a test share module instances).
   */
  readonly requireModule?: (file: string) => unknown;
  /**
   * Where handler functions run: 'containers' runs each function in worker threads of its own, as
   * Lambda does (its own environment, with credentials that stand for its execution role, see
   * principal(); its own module instances; a clock at `handlerTimeScale`); 'in-process' loads the
   * handlers into this process with `requireModule`.
   * @default - 'in-process' when requireModule is given, otherwise 'containers'
   */
  readonly isolation?: 'containers' | 'in-process';
  /**
   * With containers: real milliseconds per handler millisecond. The handlers' clock, their timers
   * and their functions' timeouts run at this pace.
   * @default - timeScale
   */
  readonly handlerTimeScale?: number;
  /**
   * With containers: the real moment (ms since the epoch) at which the handlers' scaled clock reads
   * real time. Give the emulator a clock with the same anchor (`scaledClock`) so that the times
   * the services report and the handlers' own times agree, as they do on AWS.
   * @default - each container's start
   */
  readonly clockAnchorMs?: number;
  /** With containers: where the handlers' console lines go. @default - dropped */
  readonly onHandlerLog?: (line: string, functionLogicalId: string) => void;
}

export type StackStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED';

/** A status change, for a resource or (with resourceType AWS::CloudFormation::Stack) the stack. */
export interface ProgressEvent {
  readonly operation: OperationName;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: ResourceStatus | StackStatus;
  readonly requestType?: RequestType;
  readonly physicalId?: string;
  readonly reason?: string;
  /** Wall-clock milliseconds since the operation started. */
  readonly elapsedMs: number;
}

/** One invocation of a user handler (onEvent or isComplete). */
export interface HandlerCall {
  readonly seq: number;
  readonly operation: OperationName;
  readonly handler: 'onEvent' | 'isComplete';
  readonly functionLogicalId: string;
  /** The custom resource the request is for. */
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly requestId: string;
  /** onEvent: 0, then 1.. for retried invocations; isComplete: the poll number from 0. */
  readonly attempt: number;
  /** The payload as the handler received it. */
  readonly event: Record<string, any>;
  readonly result?: any;
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
  /** Wall-clock milliseconds since the operation started, when the call began. */
  readonly startedMs: number;
  readonly durationMs: number;
  /** Simulated milliseconds since CloudFormation sent the request, when the call began. */
  readonly simulatedMs: number;
}

/** One request CloudFormation sent to a custom resource, and how it ended. */
export interface RequestRecord {
  readonly operation: OperationName;
  readonly request: CfnRequest;
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId?: string;
  readonly reason?: string;
  readonly data?: Record<string, unknown>;
  /** Simulated milliseconds until CloudFormation had its answer. */
  readonly simulatedMs: number;
  /**
   * 'handlers': the user handlers ran; 'framework': the framework answered without them (the Delete
   * after a failed Create); 'simulated': the service token is not a Provider in the stack.
   */
  readonly handledBy: 'handlers' | 'framework' | 'simulated';
}

/** A physical resource left in place because of a policy. */
export interface RetainedResource {
  readonly operation: OperationName;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly physicalId: string;
  readonly policy: 'DeletionPolicy' | 'UpdateReplacePolicy';
}

/** A physical resource CloudFormation stopped tracking although deleting it failed (a cleanup-phase delete). */
export interface OrphanedResource {
  readonly operation: OperationName;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly physicalId: string;
  readonly reason: string;
}

/** A resource the driver believes exists. */
export interface DeployedResource {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly physicalId: string;
  /** True for custom resources whose handlers ran. */
  readonly custom: boolean;
  /** As last sent (custom resources: stringified, as the handler saw them). */
  readonly properties: Record<string, unknown>;
  /** Custom resources: the Data returned. */
  readonly attributes: Record<string, unknown>;
}

export interface ResourceFailure {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: ResourceStatus;
  readonly reason: string;
  readonly physicalId?: string;
}

export interface OperationResult {
  readonly operation: OperationName;
  readonly status: StackStatus;
  /** True when the operation did what was asked (CREATE_COMPLETE, UPDATE_COMPLETE, DELETE_COMPLETE). */
  readonly ok: boolean;
  /** The resource failure that made the operation fail. */
  readonly failure?: ResourceFailure;
  /** Failures after that one: other in-flight resources, rollback, cleanup. */
  readonly otherFailures: ResourceFailure[];
  readonly outputs: Record<string, unknown>;
  readonly durationMs: number;
}

/** Everything the driver did and believes, for tests to inspect. */
export interface DriverRecord {
  readonly events: ProgressEvent[];
  readonly requests: RequestRecord[];
  readonly calls: HandlerCall[];
  readonly retained: RetainedResource[];
  readonly orphaned: OrphanedResource[];
}

/** How a Provider is wired, as synthesized. */
export interface ProviderDescription {
  /** The framework onEvent function (the service token). */
  readonly frameworkLogicalId: string;
  readonly onEvent: HandlerDescription;
  readonly isComplete?: HandlerDescription;
  readonly waiter?: WaiterDescription;
}

export interface HandlerDescription {
  readonly logicalId: string;
  readonly handler: string;
  readonly runtime: string;
  readonly codeDirectory: string;
  readonly timeoutSeconds: number;
}

export interface WaiterDescription {
  readonly stateMachineLogicalId: string;
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  /** The Provider's totalTimeout: the sum of the retry intervals. */
  readonly totalTimeoutSeconds: number;
}

export interface CustomResourceDescription {
  readonly logicalId: string;
  readonly resourceType: string;
  /** Undefined when the service token is not a Provider framework function in this stack. */
  readonly provider?: ProviderDescription;
}
