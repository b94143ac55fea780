/**
 * The Provider framework's contract, and the contract between the lifecycle core and the
 * per-resource adapters.
 */

export type Properties = Record<string, any>;

/** What the Provider framework passes to onEvent (a CloudFormation custom resource request). */
export interface OnEventRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Properties;
  readonly OldResourceProperties?: Properties;
  readonly ServiceToken?: string;
  readonly ResponseURL?: string;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  /**
   * When the wait started, in epoch milliseconds. The Provider framework passes every key of the
   * onEvent response on to isComplete, which enforces the resource's own wait bound from it.
   */
  readonly WaitStartedAt?: number;
}

/** What the Provider framework passes to isComplete: the request merged with the onEvent response. */
export type IsCompleteRequest = OnEventRequest & OnEventResponse;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** Facts about the request that adapters need: who asks, and where. */
export interface RequestContext {
  readonly requestId: string;
  readonly logicalResourceId: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** A resource's lifecycle state, mapped from the service's own status. */
export type LifecycleState =
  | 'in-progress' // being created or updated
  | 'ready' // ACTIVE
  | 'failed' // CREATE FAILED, UPDATE FAILED, ...
  | 'deleting'
  | 'delete-failed';

export interface Observation {
  readonly state: LifecycleState;
  /** The service's own status, for messages. */
  readonly status: string;
  /** The service's own reason, passed through on failure. */
  readonly failureReason?: string;
  /** Returned to CloudFormation as the resource's attributes once ready. */
  readonly attributes?: Record<string, string>;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface CreateRequest {
  readonly context: RequestContext;
  readonly properties: Properties;
  /** The name to create under: the user's, or one generated for this request. */
  readonly name: string;
  /** The user's tags and the ownership tag. */
  readonly tags: Tag[];
}

export interface UpdateRequest {
  readonly context: RequestContext;
  readonly physicalId: string;
  readonly oldProperties: Properties;
  readonly properties: Properties;
  /** Names of the properties that differ (tags and operational settings excluded). */
  readonly changed: string[];
}

/**
 * What a resource type must provide. The lifecycle (waiting, retries, ownership, replacement,
 * error wording) lives in the core; an adapter knows only its service's calls.
 */
export interface ResourceAdapter {
  /** The CloudFormation custom resource type, e.g. `Custom::PersonalizeDatasetGroup`. */
  readonly resourceType: string;
  /** Used in messages, e.g. `Personalize dataset group`. */
  readonly description: string;
  /** The resource property holding a user-fixed name. Absent from the properties means generated. */
  readonly nameProperty: string;
  /** Properties whose change cannot be applied in place and forces a replacement. */
  readonly replaceOnChange: readonly string[];
  /** True when the create call returns a ready resource (no status to wait for). */
  readonly readyOnCreate?: boolean;
  /**
   * When whether a change replaces depends on the values: returns the changed properties that
   * force a replacement. Used instead of `replaceOnChange` when present.
   */
  replacedBy?(request: UpdateRequest): string[] | Promise<string[]>;
  /** Makes a valid, unique name for one request (stable across retries of that request). */
  generateName(context: RequestContext): string;
  /** Whether a physical id is one of this resource type's ids (a failed create leaves another kind). */
  isPhysicalId(physicalId: string): boolean;

  /** Issues the create call; returns the physical id. */
  create(request: CreateRequest): Promise<string>;
  /**
   * After the service said the name is taken, returns the physical id of the resource that holds
   * it, so that the core can check whether this stack resource owns it (a retried create).
   */
  findExisting?(request: CreateRequest): Promise<string | undefined>;
  /**
   * Describes the resource; undefined when it does not exist. `properties` are the request's
   * (absent on delete), for adapters whose readiness depends on what was asked for.
   */
  describe(physicalId: string, properties?: Properties): Promise<Observation | undefined>;
  /**
   * Work that follows once the resource is ready (example batches, an import job, a version):
   * called by isComplete on every poll after `describe` said ready, until it returns `done`.
   * It must be safe to call again with the same request (idempotent per request).
   */
  reconcile?(request: ReconcileRequest): Promise<ReconcileResult>;
  /** Applies the changed properties in place. Absent when only tags can change in place. */
  update?(request: UpdateRequest): Promise<Record<string, string> | void>;
  /**
   * The values the physical resource has now, for the properties that force a replacement, read
   * from the service. An update that asks for what the resource already has (a rollback of a
   * refused or failed change) is then no change at all. Keys left out are taken as changed.
   */
  currentProperties?(physicalId: string, requested: Properties): Promise<Properties>;
  /** Issues the delete call. Not found and in-use errors are handled by the core. */
  delete(physicalId: string): Promise<void>;
  /** Attributes known from the id alone, returned by onEvent before waiting. */
  attributesOf?(physicalId: string): Record<string, string>;

  listTags(physicalId: string): Promise<Record<string, string>>;
  tagResource(physicalId: string, tags: Tag[]): Promise<void>;
  untagResource(physicalId: string, keys: string[]): Promise<void>;

  /** Service-specific error mapping, tried before the core's generic one. */
  classifyError?(error: unknown): ErrorKind | undefined;
}

export interface ReconcileRequest {
  readonly context: RequestContext;
  readonly requestType: 'Create' | 'Update';
  readonly physicalId: string;
  readonly properties: Properties;
  readonly oldProperties?: Properties;
  readonly observation: Observation;
}

export type ReconcileResult =
  | { readonly done: true; readonly attributes?: Record<string, string> }
  | { readonly done: false; readonly status: string };

export type ErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'in-use' // blocked by another resource or a running job: try again later
  | 'not-ready' // the resource is still being created or updated: wait, then try again
  | 'throttled'
  | 'transient'
  | 'fatal';
