/**
 * The lifecycle every cdk-datasets resource goes through, written once for every service.
 *
 * onEvent
 *   Create  create under the user's name or one generated for this request, tagged with the
 *           ownership tag. If the name is taken: adopt it only when our ownership tag is on it
 *           (this same request, retried); otherwise fail without touching it.
 *   Update  a change of a property the service cannot change in place is a replacement: create a
 *           new resource under a new generated name (CloudFormation then deletes the old one). A
 *           user-fixed name that would have to be replaced fails before any call is made.
 *           Otherwise update in place (adapter.update), then bring the tags to the new set.
 *   Delete  issue the delete. Not found is done; in use or not ready is tried again by isComplete.
 *
 * isComplete (called by the Provider framework every query interval)
 *   Create/Update  describe: ready is complete (with the attributes) once the adapter's reconcile
 *                  step, if any, says its follow-up work is done; failed throws the service's
 *                  reason; anything else is not complete yet.
 *   Delete         describe: gone is complete; deleting waits; still there (a delete that was
 *                  refused, or one still being created) issues the delete again.
 *   Throttling and server errors while waiting count as "not complete yet". The resource's own
 *   wait bound (WaitTimeoutSeconds) fails the operation with the last status seen.
 */
import { classifyError, describeError, LifecycleError } from './errors';
import { contextOf, OWNER_TAG_KEY, ownerTagValue } from './naming';
import {
  IsCompleteRequest, IsCompleteResponse, Observation, OnEventRequest, OnEventResponse, Properties,
  ReconcileResult, RequestContext, ResourceAdapter, Tag,
} from './types';

/** Properties that steer the handler rather than describe the resource. */
const OPERATIONAL_PROPERTIES = new Set(['ServiceToken', 'Tags', 'WaitTimeoutSeconds']);
const DEFAULT_WAIT_TIMEOUT_SECONDS = 30 * 60;
/**
 * The Provider framework calls isComplete straight after onEvent; no resource is ACTIVE within a
 * second of its create call, so that first status call is skipped (one call less per create, and
 * at most one status call per second of waiting).
 */
const CREATE_SETTLE_MS = 1000;

/**
 * A delete the service refused (in use, not ready, throttled) is asked again with a growing
 * interval: 2 s, doubling to 30 s. The state lives in the Lambda container, which the Provider
 * framework's polls reuse; a new container just asks at once.
 */
const FIRST_DELETE_RETRY_MS = 2_000;
const MAX_DELETE_RETRY_MS = 30_000;
const refusedDeletes = new Map<string, { count: number; nextAttemptAt: number; reason: string }>();

/** Forgets refused deletes (tests start each case afresh). */
export function resetDeletionBackoff(): void {
  refusedDeletes.clear();
}

export interface Handlers {
  onEvent(event: OnEventRequest): Promise<OnEventResponse>;
  isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse>;
}

export interface LifecycleOptions {
  /** The clock, replaceable in tests. */
  readonly now?: () => number;
  /** Where progress lines go. */
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

export function createHandlers(adapters: ResourceAdapter[], options: LifecycleOptions = {}): Handlers {
  const byType = new Map(adapters.map((adapter) => [adapter.resourceType, adapter]));
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? ((message, detail) => console.log(JSON.stringify({ message, ...detail })));

  function adapterFor(event: OnEventRequest): ResourceAdapter {
    const adapter = byType.get(event.ResourceType);
    if (!adapter) {
      throw new LifecycleError(`cdk-datasets: this handler does not manage resources of type ${event.ResourceType}` +
        ` (it manages ${[...byType.keys()].join(', ')})`);
    }
    return adapter;
  }

  async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
    const adapter = adapterFor(event);
    const context = contextOf(event);
    log('onEvent', {
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      physicalResourceId: event.PhysicalResourceId,
    });
    switch (event.RequestType) {
      case 'Create':
        return create(adapter, context, event.ResourceProperties);
      case 'Update':
        return update(adapter, context, event);
      case 'Delete':
        return remove(adapter, event);
      default:
        throw new LifecycleError(`cdk-datasets: unknown request type ${(event as OnEventRequest).RequestType}`);
    }
  }

  async function create(adapter: ResourceAdapter, context: RequestContext, properties: Properties): Promise<OnEventResponse> {
    const fixedName: string | undefined = properties[adapter.nameProperty];
    const name = fixedName ?? adapter.generateName(context);
    const tags: Tag[] = [...userTags(properties), { key: OWNER_TAG_KEY, value: ownerTagValue(context) }];
    const request = { context, properties, name, tags };
    let physicalId: string;
    try {
      physicalId = await adapter.create(request);
      log('created', { physicalId });
    } catch (error) {
      if (classifyError(error, adapter) !== 'already-exists' || !adapter.findExisting) {
        throw new LifecycleError(`Could not create ${adapter.description} "${name}": ${describeError(error)}`);
      }
      physicalId = await adoptOwn(adapter, context, request, error);
    }
    return respond(adapter, physicalId, { WaitStartedAt: now() });
  }

  /** A name that is already taken is ours only if our ownership tag is on it: a retried create. */
  async function adoptOwn(adapter: ResourceAdapter, context: RequestContext,
    request: Parameters<ResourceAdapter['create']>[0], cause: unknown): Promise<string> {
    const existing = await adapter.findExisting!(request);
    const tags = existing ? await adapter.listTags(existing) : {};
    if (!existing || tags[OWNER_TAG_KEY] !== ownerTagValue(context)) {
      throw new LifecycleError(`Could not create ${adapter.description} "${request.name}": ${describeError(cause)}. ` +
        `The existing one was not created by this stack resource (${context.logicalResourceId} in ${context.stackName}), ` +
        'so it is left untouched. Choose another name, or omit the name so that a unique one is generated.');
    }
    log('adopted own resource from an earlier attempt of this request', { physicalId: existing });
    return existing;
  }

  async function update(adapter: ResourceAdapter, context: RequestContext, event: OnEventRequest): Promise<OnEventResponse> {
    const physicalId = event.PhysicalResourceId!;
    const oldProperties = event.OldResourceProperties ?? {};
    const properties = event.ResourceProperties;
    const changed = changedProperties(oldProperties, properties);
    const request = { context, physicalId, oldProperties, properties, changed };
    const replacing = adapter.replacedBy
      ? await adapter.replacedBy(request)
      : changed.filter((key) => adapter.replaceOnChange.includes(key));

    if (replacing.length > 0) {
      const fixedName = properties[adapter.nameProperty];
      if (fixedName !== undefined && fixedName === oldProperties[adapter.nameProperty]
        && (await alreadyAsAsked(adapter, physicalId, properties, replacing))) {
        // CloudFormation rolling back a change refused below: the resource is as asked already.
        log('already as asked: nothing to change', { physicalId, properties: replacing });
        await syncTags(adapter, physicalId, userTags(oldProperties), userTags(properties));
        return respond(adapter, physicalId, { WaitStartedAt: now() });
      }
      if (fixedName !== undefined && fixedName === oldProperties[adapter.nameProperty]) {
        throw new LifecycleError(`Cannot change ${replacing.join(', ')} of ${adapter.description} "${fixedName}" ` +
          `(${context.logicalResourceId}): the service cannot change ${replacing.length > 1 ? 'them' : 'it'} in place, ` +
          'and the replacement would need the same fixed name while the old one still exists. Nothing was changed. ' +
          'Remove the name so that one is generated, or give it a new name, in the same deployment.');
      }
      log('replacing', { physicalId, because: replacing });
      return create(adapter, context, properties);
    }

    let data: Record<string, string> | void = undefined;
    if (changed.length > 0) {
      if (!adapter.update) {
        throw new LifecycleError(`cdk-datasets: ${adapter.description} cannot update ${changed.join(', ')} in place`);
      }
      data = await adapter.update(request);
    }
    await syncTags(adapter, physicalId, userTags(oldProperties), userTags(properties));
    return respond(adapter, physicalId, { WaitStartedAt: now() }, data ?? undefined);
  }

  /**
   * Whether the resource already has the asked values of `keys`. CloudFormation rolls a refused
   * update back by asking for the old values again, which the resource still has: that rollback is
   * no change at all. When the values cannot be read, the answer is no (the refusal stands).
   */
  async function alreadyAsAsked(adapter: ResourceAdapter, physicalId: string, properties: Properties,
    keys: string[]): Promise<boolean> {
    if (!adapter.currentProperties) return false;
    try {
      const current = await adapter.currentProperties(physicalId, properties);
      return keys.every((key) => key in current && canonical(current[key]) === canonical(properties[key]));
    } catch (error) {
      log('could not read the current properties', { physicalId, error: describeError(error) });
      return false;
    }
  }

  async function syncTags(adapter: ResourceAdapter, physicalId: string, before: Tag[], after: Tag[]): Promise<void> {
    const wanted = new Map(after.map((t) => [t.key, t.value]));
    const removed = before.filter((t) => !wanted.has(t.key)).map((t) => t.key);
    const previous = new Map(before.map((t) => [t.key, t.value]));
    const changed = after.filter((t) => previous.get(t.key) !== t.value);
    try {
      if (removed.length > 0) await adapter.untagResource(physicalId, removed);
      if (changed.length > 0) await adapter.tagResource(physicalId, changed);
    } catch (error) {
      throw new LifecycleError(`Could not update the tags of ${adapter.description} ${physicalId}: ${describeError(error)}`);
    }
    if (removed.length + changed.length > 0) log('tags updated', { physicalId, removed, changed: changed.map((t) => t.key) });
  }

  async function remove(adapter: ResourceAdapter, event: OnEventRequest): Promise<OnEventResponse> {
    const physicalId = event.PhysicalResourceId!;
    if (!adapter.isPhysicalId(physicalId)) {
      // A create that failed before the service returned an id: nothing to delete.
      log('nothing to delete', { physicalId });
      return { PhysicalResourceId: physicalId };
    }
    await requestDeletion(adapter, physicalId);
    return { PhysicalResourceId: physicalId, WaitStartedAt: now() };
  }

  /** Issues the delete; returns the reason it must be tried again, or undefined when issued or gone. */
  async function requestDeletion(adapter: ResourceAdapter, physicalId: string): Promise<string | undefined> {
    const key = `${adapter.resourceType} ${physicalId}`;
    try {
      await adapter.delete(physicalId);
      refusedDeletes.delete(key);
      log('delete issued', { physicalId });
      return undefined;
    } catch (error) {
      const kind = classifyError(error, adapter);
      if (kind === 'not-found') {
        refusedDeletes.delete(key);
        return undefined;
      }
      if (kind === 'in-use' || kind === 'not-ready' || kind === 'throttled' || kind === 'transient') {
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

  async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
    const adapter = adapterFor(event);
    const physicalId = event.PhysicalResourceId!;
    const deleting = event.RequestType === 'Delete';
    if (deleting && !adapter.isPhysicalId(physicalId)) return { IsComplete: true };
    if (event.RequestType === 'Create' && !adapter.readyOnCreate && now() - Number(event.WaitStartedAt) < CREATE_SETTLE_MS) {
      return { IsComplete: false };
    }

    let observation;
    try {
      observation = await adapter.describe(physicalId, deleting ? undefined : event.ResourceProperties);
    } catch (error) {
      const kind = classifyError(error, adapter);
      if (kind !== 'throttled' && kind !== 'transient') {
        throw new LifecycleError(`Could not read the status of ${adapter.description} ${physicalId}: ${describeError(error)}`);
      }
      return notYet(adapter, event, `status unknown (${describeError(error)})`);
    }

    if (deleting) {
      const key = `${adapter.resourceType} ${physicalId}`;
      if (!observation) {
        refusedDeletes.delete(key);
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
      const blocked = await requestDeletion(adapter, physicalId);
      const reason = blocked ?? observation.failureReason;
      return notYet(adapter, event, reason ? `${observation.status}: ${reason}` : observation.status);
    }

    if (!observation) return notYet(adapter, event, 'not visible yet');
    switch (observation.state) {
      case 'ready': {
        let attributes = observation.attributes;
        if (adapter.reconcile) {
          const result = await reconcile(adapter, event, observation);
          if (!result.done) return notYet(adapter, event, result.status);
          attributes = { ...attributes, ...result.attributes };
        }
        log('complete', { physicalId, status: observation.status });
        return { IsComplete: true, Data: { ...adapter.attributesOf?.(physicalId), ...attributes } };
      }
      case 'failed':
      case 'delete-failed':
        throw new LifecycleError(`${adapter.description} ${physicalId} is ${observation.status}: ` +
          `${observation.failureReason ?? 'the service gave no reason'}`);
      default:
        return notYet(adapter, event, observation.status);
    }
  }

  async function reconcile(adapter: ResourceAdapter, event: IsCompleteRequest,
    observation: Observation): Promise<ReconcileResult> {
    try {
      return await adapter.reconcile!({
        context: contextOf(event),
        requestType: event.RequestType as 'Create' | 'Update',
        physicalId: event.PhysicalResourceId!,
        properties: event.ResourceProperties,
        oldProperties: event.OldResourceProperties,
        observation,
      });
    } catch (error) {
      const kind = classifyError(error, adapter);
      if (kind === 'throttled' || kind === 'transient' || kind === 'not-ready') {
        return { done: false, status: `${observation.status} (${describeError(error)})` };
      }
      throw error instanceof LifecycleError ? error
        : new LifecycleError(`${adapter.description} ${event.PhysicalResourceId}: ${describeError(error)}`);
    }
  }

  function waitTimeoutSeconds(event: IsCompleteRequest): number {
    return Number(event.ResourceProperties?.WaitTimeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS);
  }

  /** Whether the resource's own wait bound has passed (never, when the wait's start is unknown). */
  function pastBound(event: IsCompleteRequest): boolean {
    const startedAt = Number(event.WaitStartedAt);
    return Number.isFinite(startedAt) && now() - startedAt > waitTimeoutSeconds(event) * 1000;
  }

  function notYet(adapter: ResourceAdapter, event: IsCompleteRequest, status: string): IsCompleteResponse {
    if (pastBound(event)) {
      const timeoutSeconds = waitTimeoutSeconds(event);
      const what = event.RequestType === 'Delete' ? 'to be deleted' : 'to become ACTIVE';
      throw new LifecycleError(`Timed out after ${timeoutSeconds} seconds waiting for ${adapter.description} ` +
        `${event.PhysicalResourceId} ${what}; last status: ${status}. Raise the construct's waitTimeout ` +
        '(at most 1 hour) if the service needs longer.');
    }
    return { IsComplete: false };
  }

  return { onEvent, isComplete };
}

function respond(adapter: ResourceAdapter, physicalId: string, extra: Partial<OnEventResponse>,
  data?: Record<string, string>): OnEventResponse {
  const attributes = { ...adapter.attributesOf?.(physicalId), ...data };
  return {
    PhysicalResourceId: physicalId,
    ...(Object.keys(attributes).length > 0 ? { Data: attributes } : {}),
    ...extra,
  };
}

/** The user's tags as CloudFormation passes them ([{ Key, Value }]). */
export function userTags(properties: Properties): Tag[] {
  const tags: Array<{ Key: string; Value: string }> = properties.Tags ?? [];
  return tags.filter((t) => t.Key !== OWNER_TAG_KEY).map((t) => ({ key: t.Key, value: t.Value ?? '' }));
}

/** Names of the resource properties whose values differ, ignoring operational ones. */
export function changedProperties(before: Properties, after: Properties): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((key) => !OPERATIONAL_PROPERTIES.has(key))
    .filter((key) => canonical(before[key]) !== canonical(after[key]))
    .sort();
}

/** JSON with object keys sorted: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
    : v)) ?? 'undefined';
}
