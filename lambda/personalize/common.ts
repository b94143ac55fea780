/**
 * What every Personalize adapter shares: the client, status mapping, ARNs and tagging.
 */
import type { PersonalizeClient } from '@aws-sdk/client-personalize';
import { ListTagsForResourceCommand, newPersonalizeClient, TagResourceCommand, UntagResourceCommand } from './sdk.deferred';
import type { LifecycleState, Tag, Tagging } from '../core/adapter';
import type { ErrorKind } from '../core/errors';
import type { RequestContext } from '../core/naming';

let client: PersonalizeClient | undefined;

/** One client per Lambda container; tests replace its calls with aws-sdk-client-mock. */
export function personalize(): PersonalizeClient {
  client ??= newPersonalizeClient();
  return client;
}

/**
 * Personalize statuses: CREATE PENDING > CREATE IN_PROGRESS > ACTIVE -or- CREATE FAILED;
 * UPDATE PENDING > UPDATE IN_PROGRESS > ACTIVE -or- UPDATE FAILED; DELETE PENDING > DELETE IN_PROGRESS.
 */
export function lifecycleState(status: string): LifecycleState {
  if (status === 'ACTIVE') return 'ready';
  if (status.startsWith('DELETE')) return status.endsWith('FAILED') ? 'delete-failed' : 'deleting';
  if (status.endsWith('FAILED')) return 'failed';
  return 'in-progress';
}

/** arn:<partition>:personalize:<region>:<account>:<resource>/<name> */
export function personalizeArn(context: RequestContext, resource: string, name: string): string {
  return `arn:${context.partition}:personalize:${context.region}:${context.account}:${resource}/${name}`;
}

/** Whether the id is an ARN of the resource type (`dataset-group`, ...), with `segments` name parts. */
export function isPersonalizeArn(resource: string, physicalId: string, segments = 1): boolean {
  const name = '[a-zA-Z0-9][a-zA-Z0-9\\-_]*';
  const rest = segments === 1 ? name : `${name}(/[A-Za-z_]+){${segments - 1}}`;
  return new RegExp(`^arn:[\\w-]+:personalize:[\\w-]*:\\d*:${resource}/${rest}$`).test(physicalId);
}

/** The last segment of an ARN: the resource's name. */
export function nameFromArn(arn: string): string {
  return arn.substring(arn.lastIndexOf('/') + 1);
}

export function toPersonalizeTags(tags: readonly Tag[]) {
  return tags.map((t) => ({ tagKey: t.key, tagValue: t.value }));
}

/** Tagging works the same for every Personalize resource, by ARN. */
export const personalizeTagging: Tagging = {
  async list(resourceArn) {
    const response = await personalize().send(new ListTagsForResourceCommand({ resourceArn }));
    return Object.fromEntries((response.tags ?? []).map((t) => [t.tagKey ?? '', t.tagValue ?? '']));
  },
  async tag(resourceArn, tags) {
    await personalize().send(new TagResourceCommand({ resourceArn, tags: toPersonalizeTags(tags) }));
  },
  async untag(resourceArn, tagKeys) {
    await personalize().send(new UntagResourceCommand({ resourceArn, tagKeys: [...tagKeys] }));
  },
};

/**
 * Personalize answers its request-rate limit with LimitExceededException ("The limit on the number
 * of requests per second has been exceeded"), but also its quota of 5 running import jobs a region
 * ("More than 5 resources with PENDING or IN_PROGRESS status") and its resource-count quotas. The
 * first is throttling, the second is waited out like a running job; a quota that waiting does not
 * lift fails with the service's words.
 */
export function classifyPersonalizeError(error: unknown): ErrorKind | undefined {
  const { name, message = '' } = (error ?? {}) as { name?: string; message?: string };
  if (name !== 'LimitExceededException') return undefined;
  if (message === '' || /per second|rate/i.test(message)) return 'throttled';
  if (/PENDING or IN_PROGRESS/i.test(message)) return 'in-use';
  return 'fatal';
}
