/**
 * The lifecycle every cdk-datasets resource goes through, written once for every service, behind
 * the Provider framework's onEvent and isComplete.
 *
 * onEvent
 *   Create  create under the user's name or one generated for this request, tagged with the
 *           ownership tag. If the name is taken: adopt it only when it is this stack resource's own
 *           (this same request, retried); otherwise fail without touching it. A create the service
 *           refuses for now (a running job) is tried again by isComplete, where the adapter allows.
 *   Update  a change the service cannot make in place is a replacement: a new resource under a new
 *           generated name (CloudFormation then deletes the old one). A user-fixed name that would
 *           have to be replaced fails before any call is made, unless the resource already has
 *           what is asked (a rollback of that refusal). Otherwise the adapter may check the change;
 *           it is applied by isComplete.
 *   Delete  issue the delete. Not found is done; in use, not ready or throttled is tried again by
 *           isComplete.
 *
 * isComplete (called by the Provider framework every query interval)
 *   A status call is made only when the schedule (schedule.ts) says one is due; otherwise "not yet".
 *   Create/Update  describe: failed throws the service's reason; in progress is not complete yet;
 *                  ready goes on with what is left, one step a poll where the service needs time:
 *                  in-place changes (an Update), tags (an Update), follow-up work; then complete,
 *                  with the attributes.
 *   Delete         describe: gone is complete; deleting waits; still there (a delete that was
 *                  refused, or one still being created) issues the delete again, backing off.
 *   Throttling, server errors, timeouts and in-use errors while waiting are "not complete yet", and
 *   so is a call cut short because this invocation's time ran out (budget.ts). The resource's own
 *   wait bound (WaitTimeoutSeconds) fails the operation with the last status seen.
 */
import type { Observation, Progress, ResourceAdapter, Tag } from './adapter';
import { withinBudget, type LambdaContext } from './budget';
import { asSentence, classifyError, describeError, isLifecycleError, isPassing, LifecycleError } from './errors';
import { canonical } from './json';
import { contextOf, generatePhysicalName, ownerTagValue, type RequestContext } from './naming';
import { changedProperties, fixedNameRefusal } from './replacement';
import { StatusSchedule } from './schedule';
import {
  DEFAULT_WAIT_TIMEOUT_SECONDS, decodeProperties, OWNER_TAG_KEY, RESOURCES, type CfnTag,
} from '../../src/contract';

type RawProperties = Readonly<Record<string, unknown>>;

/** Where the handlers' replacement rules live: re-exported for the callers that knew it here. */
export { changedProperties } from './replacement';
type AnyAdapter = ResourceAdapter;
type Decoded = Record<string, any>;

/** What the Provider framework passes to onEvent (a CloudFormation custom resource request). */
export interface OnEventRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: RawProperties;
  readonly OldResourceProperties?: RawProperties;
  readonly ServiceToken?: string;
  readonly ResponseURL?: string;
}

/** What onEvent did, for isComplete: a new resource, a change in place, or a deletion. */
export type Action = 'create' | 'update' | 'delete';

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  /**
   * When the wait started, in epoch milliseconds. The Provider framework passes every key of the
   * onEvent response on to isComplete, which enforces the resource's own wait bound from it.
   */
  readonly WaitStartedAt?: number;
  readonly Action?: Action;
  /** The create call was refused for now: isComplete tries it again. */
  readonly CreatePending?: boolean;
}

/** What the Provider framework passes to isComplete: the request merged with the onEvent response. */
export type IsCompleteRequest = OnEventRequest & Partial<OnEventResponse>;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

export interface Handlers {
  onEvent(event: OnEventRequest, context?: LambdaContext): Promise<OnEventResponse>;
  isComplete(event: IsCompleteRequest, context?: LambdaContext): Promise<IsCompleteResponse>;
}

/** Finds the adapter of a resource type (loading its service's code on first use). */
export type AdapterLookup = (resourceType: string) => AnyAdapter | undefined;

export interface LifecycleOptions {
  /** The clock, replaceable in tests. */
  readonly now?: () => number;
  /** Where progress lines go. */
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** Randomness for backoff jitter, replaceable in tests. */
  readonly random?: () => number;
}

/**
 * The Provider framework calls isComplete straight after onEvent; no resource is ACTIVE within a
 * second of its create call, so that first status call is skipped.
 */
const CREATE_SETTLE_MS = 1000;
/** A delete the service refused is asked again after 2 s, doubling to 30 s. */
const FIRST_DELETE_RETRY_MS = 2_000;
const MAX_DELETE_RETRY_MS = 30_000;

export function createHandlers(adapters: readonly AnyAdapter[] | AdapterLookup, options: LifecycleOptions = {}): Handlers {
  const lookup: AdapterLookup = typeof adapters === 'function'
    ? adapters
    : (type) => adapters.find((a) => resourceTypeOf(a) === type);
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? ((message, detail) => console.log(JSON.stringify({ message, ...detail })));
  // What this handler instance (one Lambda container) keeps between polls.
  const schedule = new StatusSchedule(now, options.random);
  const refusedDeletes = new Map<string, { count: number; nextAttemptAt: number; reason: string }>();

  function adapterFor(event: OnEventRequest): AnyAdapter {
    const adapter = lookup(event.ResourceType);
    if (!adapter) {
      throw new LifecycleError(`cdk-datasets: this handler does not manage resources of type ${event.ResourceType} ` +
        `(it manages ${Object.values(RESOURCES).map((r) => r.type).join(', ')})`);
    }
    return adapter;
  }

  function decode(adapter: AnyAdapter, event: OnEventRequest, raw: RawProperties): Decoded {
    try {
      return decodeProperties(adapter.resource, raw) as Decoded;
    } catch (error) {
      throw new LifecycleError(`${adapter.description} (${event.LogicalResourceId}): ${(error as Error).message}`);
    }
  }

  // ---- onEvent ----

  async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
    const adapter = adapterFor(event);
    log('onEvent', {
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    switch (event.RequestType) {
      case 'Create':
        return create(adapter, contextOf(event), decode(adapter, event, event.ResourceProperties));
      case 'Update':
        return update(adapter, event);
      case 'Delete':
        return remove(adapter, event);
      default:
        throw new LifecycleError(`cdk-datasets: unknown request type ${(event as OnEventRequest).RequestType}`);
    }
  }

  function createRequest(adapter: AnyAdapter, context: RequestContext, properties: Decoded) {
    const { nameProperty, nameRule } = RESOURCES[adapter.resource];
    const fixedName: string | undefined = properties[nameProperty];
    const name = fixedName ?? generatePhysicalName(context, nameRule);
    const tags: Tag[] = adapter.capabilities.tagging
      ? [...userTags(properties), { key: OWNER_TAG_KEY, value: ownerTagValue(context) }]
      : [];
    return { context, properties, name, tags } as const;
  }

  async function create(adapter: AnyAdapter, context: RequestContext, properties: Decoded): Promise<OnEventResponse> {
    const request = createRequest(adapter, context, properties);
    let physicalId: string;
    try {
      physicalId = await adapter.create(request as never);
      log('created', { physicalId });
    } catch (error) {
      const kind = classifyError(error, adapter.classifyError);
      if (kind === 'already-exists' && adapter.capabilities.adoption) {
        physicalId = await adoptOwn(adapter, request, error);
      } else if (isPassing(kind) && adapter.capabilities.deferredCreate?.physicalIdOf(request as never) !== undefined) {
        physicalId = adapter.capabilities.deferredCreate.physicalIdOf(request as never)!;
        log('create must wait', { physicalId, reason: describeError(error) });
        return respond(adapter, physicalId, { WaitStartedAt: now(), Action: 'create', CreatePending: true });
      } else {
        throw new LifecycleError(`Could not create ${adapter.description} "${request.name}": ${describeError(error)}`);
      }
    }
    return respond(adapter, physicalId, { WaitStartedAt: now(), Action: 'create' });
  }

  /** A name that is already taken is ours only if it is this stack resource's own: a retried create. */
  async function adoptOwn(adapter: AnyAdapter, request: ReturnType<typeof createRequest>, cause: unknown): Promise<string> {
    const { context, name } = request;
    const existing = await adapter.capabilities.adoption!.findExisting(request as never);
    let owned = existing?.owned;
    if (existing && owned === undefined && adapter.capabilities.tagging) {
      const tags = await adapter.capabilities.tagging.list(existing.physicalId);
      owned = tags[OWNER_TAG_KEY] === ownerTagValue(context);
    }
    if (!existing || !owned) {
      throw new LifecycleError(`Could not create ${adapter.description} "${name}": ${asSentence(describeError(cause))} ` +
        (adapter.capabilities.adoption!.refusal
          ?? `The existing one was not created by this stack resource (${context.logicalResourceId} in ${context.stackName}), ` +
          'so it is left untouched. Choose another name, or omit the name so that a unique one is generated.'));
    }
    log('adopted own resource from an earlier attempt of this request', { physicalId: existing.physicalId });
    return existing.physicalId;
  }

  async function update(adapter: AnyAdapter, event: OnEventRequest): Promise<OnEventResponse> {
    const context = contextOf(event);
    const physicalId = event.PhysicalResourceId!;
    const properties = decode(adapter, event, event.ResourceProperties);
    const oldProperties = decodeLeniently(adapter, event.OldResourceProperties ?? {});
    const changed = changedProperties(event.OldResourceProperties ?? {}, event.ResourceProperties);
    const change = { context, physicalId, oldProperties, properties, changed };
    const replacing = [...await adapter.replacedBy(change as never)];

    if (replacing.length > 0) {
      const refusal = fixedNameRefusal(adapter.resource, adapter.description, context.logicalResourceId, oldProperties, properties, replacing);
      if (refusal) {
        if (await alreadyAsAsked(adapter, physicalId, properties, replacing)) {
          // CloudFormation rolling back a change refused below: the resource is as asked already.
          log('already as asked: nothing to replace', { physicalId, properties: replacing });
          return respond(adapter, physicalId, { WaitStartedAt: now(), Action: 'update' });
        }
        throw new LifecycleError(refusal);
      }
      log('replacing', { physicalId, because: replacing });
      return create(adapter, context, properties);
    }

    if (changed.length > 0) {
      const { update: inPlace } = adapter.capabilities;
      if (!inPlace) {
        throw new LifecycleError(`cdk-datasets: ${adapter.description} cannot change ${changed.join(', ')} in place, ` +
          'and its adapter did not replace it');
      }
      await inPlace.check?.(change as never);
    }
    return respond(adapter, physicalId, { WaitStartedAt: now(), Action: 'update' });
  }

  /**
   * Whether the resource already has the asked values of `keys`. CloudFormation rolls a refused
   * update back by asking for the old values again, which the resource still has: that rollback is
   * no change at all. When the values cannot be read, the answer is no (the refusal stands).
   */
  async function alreadyAsAsked(adapter: AnyAdapter, physicalId: string, properties: Decoded, keys: string[]): Promise<boolean> {
    const { currentValues } = adapter.capabilities;
    if (!currentValues) return false;
    try {
      const current: Record<string, unknown> = await currentValues.read(physicalId, properties as never);
      return keys.every((key) => key in current && canonical(current[key]) === canonical(properties[key]));
    } catch (error) {
      log('could not read the current properties', { physicalId, error: describeError(error) });
      return false;
    }
  }

  async function remove(adapter: AnyAdapter, event: OnEventRequest): Promise<OnEventResponse> {
    const physicalId = event.PhysicalResourceId!;
    if (!adapter.isPhysicalId(physicalId)) {
      // A create that failed before the service returned an id: nothing to delete.
      log('nothing to delete', { physicalId });
      return { PhysicalResourceId: physicalId };
    }
    await requestDeletion(adapter, physicalId, decodeLeniently(adapter, event.ResourceProperties));
    return { PhysicalResourceId: physicalId, WaitStartedAt: now(), Action: 'delete' };
  }

  /** Issues the delete; returns the reason it must be tried again, or undefined when issued or gone. */
  async function requestDeletion(adapter: AnyAdapter, physicalId: string, properties: Decoded): Promise<string | undefined> {
    const key = `${resourceTypeOf(adapter)} ${physicalId}`;
    try {
      await adapter.delete(physicalId, properties as never);
      refusedDeletes.delete(key);
      log('delete issued', { physicalId });
      return undefined;
    } catch (error) {
      const kind = classifyError(error, adapter.classifyError);
      if (kind === 'not-found') {
        refusedDeletes.delete(key);
        return undefined;
      }
      if (isPassing(kind)) {
        const reason = describeError(error);
        const count = (refusedDeletes.get(key)?.count ?? 0) + 1;
        const retryIn = Math.min(FIRST_DELETE_RETRY_MS * 2 ** (count - 1), MAX_DELETE_RETRY_MS);
        refusedDeletes.set(key, { count, nextAttemptAt: now() + retryIn, reason });
        log('delete must wait', { physicalId, reason, retryInMs: retryIn });
        return reason;
      }
      throw new LifecycleError(`Could not delete ${adapter.description} ${physicalId}: ${describeError(error)}`);
    }
  }

  // ---- isComplete ----

  async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
    const adapter = adapterFor(event);
    const physicalId = event.PhysicalResourceId!;
    const waitKey = `${event.StackId}|${event.LogicalResourceId}|${event.RequestId}`;
    const startedAt = Number(event.WaitStartedAt);
    if (event.RequestType === 'Delete') return waitForDeletion(adapter, event, waitKey);

    const action: Action = event.Action ?? (event.RequestType === 'Create' ? 'create' : 'update');
    if (action === 'create' && !adapter.capabilities.readyOnCreate && now() - startedAt < CREATE_SETTLE_MS) {
      return { IsComplete: false };
    }
    if (!pastBound(event) && !schedule.due(waitKey, startedAt)) return { IsComplete: false };

    const properties = decode(adapter, event, event.ResourceProperties);
    const observed = await observe(adapter, event, waitKey, properties);
    if ('answer' in observed) return observed.answer;
    const observation = observed.observation;

    if (!observation) {
      if (event.CreatePending) return createAgain(adapter, event, properties);
      return notYet(adapter, event, 'not visible yet');
    }
    switch (observation.state) {
      case 'failed':
      case 'delete-failed':
        schedule.forget(waitKey);
        throw new LifecycleError(`${adapter.description} ${physicalId} is ${observation.status}: ` +
          `${observation.failureReason ?? 'the service gave no reason'}`);
      case 'ready':
        break;
      default:
        return notYet(adapter, event, observation.status);
    }

    let attributes: Record<string, string> = { ...adapter.attributesOf(physicalId), ...observation.attributes };
    const step = async (what: string, work: () => Promise<Progress>): Promise<IsCompleteResponse | undefined> => {
      const progress = await passingAsProgress(adapter, physicalId, what, work);
      if (!progress.done) {
        schedule.observed(waitKey, { progressed: true });
        return notYet(adapter, event, `${observation.status}, ${progress.status}`);
      }
      attributes = { ...attributes, ...progress.attributes };
      return undefined;
    };

    if (action === 'update') {
      const { update: inPlace, tagging } = adapter.capabilities;
      const oldProperties = decodeLeniently(adapter, event.OldResourceProperties ?? {});
      const changed = changedProperties(event.OldResourceProperties ?? {}, event.ResourceProperties);
      const change = { context: contextOf(event), physicalId, oldProperties, properties, changed };
      if (inPlace && changed.length > 0) {
        const pending = await step('in-place update', () => inPlace.apply(change as never, observation));
        if (pending) return pending;
      }
      if (tagging) {
        const pending = await step('tag update', () => syncTags(adapter, physicalId, userTags(oldProperties), userTags(properties)));
        if (pending) return pending;
      }
    }
    const { followUp } = adapter.capabilities;
    if (followUp) {
      const pending = await step('follow-up', () => followUp.run({
        context: contextOf(event),
        requestType: event.RequestType as 'Create' | 'Update',
        physicalId,
        properties: properties as never,
        oldProperties: event.OldResourceProperties ? decodeLeniently(adapter, event.OldResourceProperties) as never : undefined,
        observation,
        waitStartedAt: startedAt,
      }));
      if (pending) return pending;
    }
    schedule.forget(waitKey);
    log('complete', { physicalId, status: observation.status });
    return { IsComplete: true, Data: attributes };
  }

  /** Describes the resource; a throttled, failing or timed-out call is "not yet". */
  async function observe(adapter: AnyAdapter, event: IsCompleteRequest, waitKey: string, properties: Decoded):
  Promise<{ observation: Observation | undefined } | { answer: IsCompleteResponse }> {
    const physicalId = event.PhysicalResourceId!;
    try {
      const observation = await adapter.describe(physicalId, properties as never, event.RequestType === 'Delete');
      schedule.observed(waitKey, { status: observation?.status ?? 'gone' });
      return { observation };
    } catch (error) {
      const kind = classifyError(error, adapter.classifyError);
      if (kind === 'not-found') return { observation: undefined };
      if (!isPassing(kind)) {
        schedule.forget(waitKey);
        throw new LifecycleError(`Could not read the status of ${adapter.description} ${physicalId}: ${describeError(error)}`);
      }
      schedule.observed(waitKey, { throttled: kind === 'throttled' });
      return { answer: notYet(adapter, event, `status unknown (${describeError(error)})`) };
    }
  }

  /** A create that was refused for now, tried again. */
  async function createAgain(adapter: AnyAdapter, event: IsCompleteRequest, properties: Decoded): Promise<IsCompleteResponse> {
    const request = createRequest(adapter, contextOf(event), properties);
    try {
      const physicalId = await adapter.create(request as never);
      log('created after waiting', { physicalId });
      return notYet(adapter, event, 'created');
    } catch (error) {
      const kind = classifyError(error, adapter.classifyError);
      if (kind === 'already-exists' && adapter.capabilities.adoption) {
        await adoptOwn(adapter, request, error);
        return notYet(adapter, event, 'created');
      }
      if (isPassing(kind)) return notYet(adapter, event, `waiting to create: ${describeError(error)}`);
      throw new LifecycleError(`Could not create ${adapter.description} "${request.name}": ${describeError(error)}`);
    }
  }

  async function waitForDeletion(adapter: AnyAdapter, event: IsCompleteRequest, waitKey: string): Promise<IsCompleteResponse> {
    const physicalId = event.PhysicalResourceId!;
    if (!adapter.isPhysicalId(physicalId)) return { IsComplete: true };
    if (!pastBound(event) && !schedule.due(waitKey, Number(event.WaitStartedAt))) return { IsComplete: false };
    const properties = decodeLeniently(adapter, event.ResourceProperties);
    const observed = await observe(adapter, event, waitKey, properties);
    if ('answer' in observed) return observed.answer;
    const { observation } = observed;
    const key = `${resourceTypeOf(adapter)} ${physicalId}`;
    if (!observation) {
      refusedDeletes.delete(key);
      schedule.forget(waitKey);
      return { IsComplete: true };
    }
    if (observation.state === 'deleting' || observation.state === 'in-progress') {
      // Once it is no longer being created or updated, its delete is asked for at once.
      refusedDeletes.delete(key);
      return notYet(adapter, event, observation.status);
    }
    // Still there and not being deleted: the delete was refused or failed. Ask again when due,
    // and always at the bound, so that a timeout carries the service's current reason.
    const refused = refusedDeletes.get(key);
    if (refused && now() < refused.nextAttemptAt && !pastBound(event)) {
      return notYet(adapter, event, `${observation.status}: ${refused.reason}`);
    }
    const blocked = await requestDeletion(adapter, physicalId, properties);
    const reason = blocked ?? observation.failureReason;
    return notYet(adapter, event, reason ? `${observation.status}: ${reason}` : observation.status);
  }

  /** Brings the resource's tags from `before` to `after`, as they are now on the resource. */
  async function syncTags(adapter: AnyAdapter, physicalId: string, before: Tag[], after: Tag[]): Promise<Progress> {
    const tagging = adapter.capabilities.tagging!;
    if (canonical(before) === canonical(after)) return { done: true };
    const wanted = new Map(after.map((t) => [t.key, t.value]));
    const current = await tagging.list(physicalId);
    const removed = before.filter((t) => !wanted.has(t.key) && t.key in current).map((t) => t.key);
    const changed = after.filter((t) => current[t.key] !== t.value);
    if (removed.length > 0) await tagging.untag(physicalId, removed);
    if (changed.length > 0) await tagging.tag(physicalId, changed);
    if (removed.length + changed.length > 0) log('tags updated', { physicalId, removed, changed: changed.map((t) => t.key) });
    return { done: true };
  }

  /** A step's work; an error worth waiting out (throttling, in use, a timeout) is progress not made yet. */
  async function passingAsProgress(adapter: AnyAdapter, physicalId: string, what: string, work: () => Promise<Progress>): Promise<Progress> {
    try {
      return await work();
    } catch (error) {
      if (isLifecycleError(error)) throw error;
      const kind = classifyError(error, adapter.classifyError);
      if (isPassing(kind)) return { done: false, status: `${what} must wait (${describeError(error)})` };
      throw new LifecycleError(`Could not finish the ${what} of ${adapter.description} ${physicalId}: ${describeError(error)}`);
    }
  }

  function waitTimeoutSeconds(event: IsCompleteRequest): number {
    const seconds = Number(event.ResourceProperties?.WaitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS);
    return Number.isFinite(seconds) ? seconds : DEFAULT_WAIT_TIMEOUT_SECONDS;
  }

  /** Whether the resource's own wait bound has passed (never, when the wait's start is unknown). */
  function pastBound(event: IsCompleteRequest): boolean {
    const startedAt = Number(event.WaitStartedAt);
    return Number.isFinite(startedAt) && now() - startedAt > waitTimeoutSeconds(event) * 1000;
  }

  function notYet(adapter: AnyAdapter, event: IsCompleteRequest, status: string): IsCompleteResponse {
    if (pastBound(event)) {
      const timeoutSeconds = waitTimeoutSeconds(event);
      const what = event.RequestType === 'Delete' ? 'to be deleted' : 'to become ACTIVE';
      throw new LifecycleError(`Timed out after ${timeoutSeconds} seconds waiting for ${adapter.description} ` +
        `${event.PhysicalResourceId} ${what}; last status: ${status}. Raise the construct's waitTimeout ` +
        '(at most 1 hour) if the service needs longer.');
    }
    return { IsComplete: false };
  }

  return {
    onEvent: (event, context) => withinBudget(context, () => onEvent(event)),
    isComplete: (event, context) => withinBudget(context, () => isComplete(event)),
  };
}

function resourceTypeOf(adapter: AnyAdapter): string {
  return RESOURCES[adapter.resource].type;
}

/** The properties, decoded where they decode (old properties may come from an earlier version). */
function decodeLeniently(adapter: AnyAdapter, raw: RawProperties): Decoded {
  try {
    return decodeProperties(adapter.resource, raw) as Decoded;
  } catch {
    return { ...raw };
  }
}

function respond(adapter: AnyAdapter, physicalId: string, extra: Omit<OnEventResponse, 'PhysicalResourceId' | 'Data'>): OnEventResponse {
  const attributes = adapter.attributesOf(physicalId);
  return {
    PhysicalResourceId: physicalId,
    ...(Object.keys(attributes).length > 0 ? { Data: attributes } : {}),
    ...extra,
  };
}

/** The user's tags (the ownership tag, should it be there, is the handler's own). */
export function userTags(properties: { readonly Tags?: readonly CfnTag[] }): Tag[] {
  return (properties.Tags ?? []).filter((t) => t.Key !== OWNER_TAG_KEY).map((t) => ({ key: t.Key, value: t.Value ?? '' }));
}
