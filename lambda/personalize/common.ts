/**
 * What every Personalize adapter shares: status mapping, ARNs, names and tagging.
 */
import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-personalize';
import { personalize } from './client';
import { generatePhysicalName } from '../core/naming';
import { LifecycleState, RequestContext, ResourceAdapter, Tag } from '../core/types';

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

export function isPersonalizeArn(resource: string, physicalId: string): boolean {
  return new RegExp(`^arn:[\\w-]+:personalize:[\\w-]*:\\d*:${resource}/[a-zA-Z0-9][a-zA-Z0-9\\-_]*$`).test(physicalId);
}

/** The last segment of an ARN: the resource's name. */
export function nameFromArn(arn: string): string {
  return arn.substring(arn.lastIndexOf('/') + 1);
}

/** Personalize names: ^[a-zA-Z0-9][a-zA-Z0-9\-_]*, at most 63 characters. */
export function generateName(context: RequestContext): string {
  return generatePhysicalName(context, { maxLength: 63, allowed: /[a-zA-Z0-9_-]/, separator: '-' });
}

export function toPersonalizeTags(tags: Tag[]) {
  return tags.map((t) => ({ tagKey: t.key, tagValue: t.value }));
}

/** Tagging works the same for every Personalize resource, by ARN. */
export const personalizeTagging: Pick<ResourceAdapter, 'listTags' | 'tagResource' | 'untagResource'> = {
  async listTags(resourceArn) {
    const response = await personalize().send(new ListTagsForResourceCommand({ resourceArn }));
    return Object.fromEntries((response.tags ?? []).map((t) => [t.tagKey ?? '', t.tagValue ?? '']));
  },
  async tagResource(resourceArn, tags) {
    await personalize().send(new TagResourceCommand({ resourceArn, tags: toPersonalizeTags(tags) }));
  },
  async untagResource(resourceArn, tagKeys) {
    await personalize().send(new UntagResourceCommand({ resourceArn, tagKeys }));
  },
};
