/**
 * The seam between the lifecycle core and the resource types. What every resource type must do
 * (create, describe, delete, its name and id rules, which changes replace it) is ResourceAdapter;
 * what only some can do is a capability an adapter declares, and the core uses it when present.
 */
import type { ErrorClassifier } from './errors';
import type { RequestContext } from './naming';
import type { Properties, ResourceName } from '../../src/contract';

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
  readonly attributes?: Readonly<Record<string, string>>;
  /** The service's description, for the adapter's own steps (saves them a second status call). */
  readonly description?: unknown;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface CreateRequest<P> {
  readonly context: RequestContext;
  readonly properties: P;
  /** The name to create under: the user's, or one generated for this request. */
  readonly name: string;
  /** The user's tags and the ownership tag (empty for a resource type without tagging). */
  readonly tags: readonly Tag[];
}

export interface ChangeRequest<P> {
  readonly context: RequestContext;
  readonly physicalId: string;
  readonly oldProperties: P;
  readonly properties: P;
  /** Names of the properties that differ (operational ones excluded). */
  readonly changed: readonly string[];
}

/** How far a step that takes several polls has come. */
export type Progress =
  | { readonly done: true; readonly attributes?: Readonly<Record<string, string>> }
  | { readonly done: false; readonly status: string };

/** What every resource type must provide (its name property and name rule are the contract's). */
export interface ResourceAdapter<R extends ResourceName = ResourceName> {
  /** The contract's name for the resource type: its CloudFormation type, property kinds and name rule. */
  readonly resource: R;
  /** Used in messages, e.g. `Personalize dataset group`. */
  readonly description: string;
  /** Service-specific refinement of the error classification. */
  readonly classifyError?: ErrorClassifier;
  readonly capabilities: Capabilities<R>;
  /** Whether a physical id is one of this resource type's ids (a failed create leaves another kind). */
  isPhysicalId(physicalId: string): boolean;
  /** Attributes known from the id alone, returned by onEvent before waiting. */
  attributesOf(physicalId: string): Record<string, string>;

  /** Issues the create call; returns the physical id. */
  create(request: CreateRequest<Properties<R>>): Promise<string>;
  /**
   * Describes the resource: undefined, or a not-found error as the service throws it, when it does
   * not exist. `deleting` says that the wait is for its deletion.
   */
  describe(physicalId: string, properties: Properties<R>, deleting?: boolean): Promise<Observation | undefined>;
  /** Issues the delete call. Not-found, in-use and not-ready errors are the core's to handle. */
  delete(physicalId: string, properties: Properties<R>): Promise<void>;
  /**
   * The changed properties that force a replacement (new resource, new generated name). It may
   * throw to refuse a change that can be made neither in place nor by a replacement.
   */
  replacedBy(change: ChangeRequest<Properties<R>>): readonly string[] | Promise<readonly string[]>;
}

/** What only some resource types can do. */
export interface Capabilities<R extends ResourceName> {
  /** The create call returns a ready resource: there is no status to wait for. */
  readonly readyOnCreate?: boolean;
  readonly update?: InPlaceUpdate<Properties<R>>;
  readonly tagging?: Tagging;
  readonly followUp?: FollowUp<Properties<R>>;
  readonly adoption?: Adoption<Properties<R>>;
  readonly currentValues?: CurrentValues<Properties<R>>;
  readonly deferredCreate?: DeferredCreate<Properties<R>>;
}

/**
 * Changes applied in place. `check` runs in onEvent before anything is changed and may refuse;
 * `apply` runs in isComplete once the resource is ready, on every poll until it says done, so it
 * must bring the resource to the properties idempotently (compare, then act).
 */
export interface InPlaceUpdate<P> {
  check?(change: ChangeRequest<P>): Promise<void>;
  apply(change: ChangeRequest<P>, observation: Observation): Promise<Progress>;
}

/** Tags by the resource's id. */
export interface Tagging {
  list(physicalId: string): Promise<Record<string, string>>;
  tag(physicalId: string, tags: readonly Tag[]): Promise<void>;
  untag(physicalId: string, keys: readonly string[]): Promise<void>;
}

/**
 * Work that follows once the resource is ready (example batches, a version, an import that must
 * not be waited for): called by isComplete on every poll of a Create or Update after the resource
 * is ready and in-place changes are done, until done. Idempotent per request.
 */
export interface FollowUp<P> {
  run(request: FollowUpRequest<P>): Promise<Progress>;
}

export interface FollowUpRequest<P> {
  readonly context: RequestContext;
  readonly requestType: 'Create' | 'Update';
  readonly physicalId: string;
  readonly properties: P;
  readonly oldProperties?: P;
  readonly observation: Observation;
  /** When this request's wait started (epoch ms): what the service shows from before it is an earlier request's. */
  readonly waitStartedAt: number;
}

/**
 * After the service said the name is taken: the resource that holds it, so that the core can tell
 * whether it is this stack resource's own (a retried create). `owned` is the adapter's own proof
 * for a resource type without tags; otherwise the core checks the ownership tag.
 */
export interface Adoption<P> {
  /** Why a taken name is refused, when the core's words (not created by this stack resource) do not fit. */
  readonly refusal?: string;
  findExisting(request: CreateRequest<P>): Promise<{ readonly physicalId: string; readonly owned?: boolean } | undefined>;
}

/**
 * The values the resource has now, read from the service, for the properties that force a
 * replacement: an update that asks for what the resource already has (the rollback of a refused
 * change) is then no change at all. Keys left out are taken as changed.
 */
export interface CurrentValues<P> {
  read(physicalId: string, requested: P): Promise<Partial<Record<keyof P & string, unknown>>>;
}

/**
 * A create that the service refuses for now (a running job holds the dataset, the account's request
 * rate is exceeded) is tried again by isComplete until the wait bound, under an id known before the
 * resource exists.
 */
export interface DeferredCreate<P> {
  /**
   * The id the resource will have; undefined when a resource found under it later could be another
   * owner's (a fixed name): such a create is not deferred, and its error fails the request.
   */
  physicalIdOf(request: CreateRequest<P>): string | undefined;
}
