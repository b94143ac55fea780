/**
 * What every AgentCore adapter shares: status mapping, ARNs, idempotency tokens and tagging.
 */
import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { agentcore } from './client';
import { shortHash } from '../core/naming';
import { LifecycleState, RequestContext, ResourceAdapter } from '../core/types';

/**
 * Dataset statuses (DatasetStatus): CREATING > ACTIVE -or- CREATE_FAILED; an example change or a
 * version: UPDATING > ACTIVE -or- UPDATE_FAILED; DeleteDataset: DELETING > gone -or- DELETE_FAILED.
 */
export function lifecycleState(status: string): LifecycleState {
  switch (status) {
    case 'ACTIVE': return 'ready';
    case 'DELETING': return 'deleting';
    case 'DELETE_FAILED': return 'delete-failed';
    case 'CREATE_FAILED':
    case 'UPDATE_FAILED': return 'failed';
    default: return 'in-progress'; // CREATING, UPDATING
  }
}

/** arn:<partition>:bedrock-agentcore:<region>:<account>:dataset/<datasetId> (API reference, datasetArn). */
const DATASET_ARN = /^arn:aws(-[a-z]+)*:bedrock-agentcore:[a-z0-9-]+:\d{12}:dataset\/[a-zA-Z0-9_-]{1,110}$/;

export function isDatasetArn(physicalId: string): boolean {
  return DATASET_ARN.test(physicalId);
}

/** The operations take the dataset's id, the last segment of its ARN. */
export function datasetIdOf(datasetArn: string): string {
  return datasetArn.substring(datasetArn.lastIndexOf('/') + 1);
}

/**
 * An idempotency token for one call of one request: the same when the request is retried, another
 * for the next request (a replacement, an update). 64 hex characters, within the API's 33 to 256
 * characters of `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}`.
 */
export function clientToken(context: RequestContext, ...parts: string[]): string {
  return shortHash(context.stackId, context.logicalResourceId, context.requestId, ...parts);
}

/** Tagging works by ARN, with the tags as a map. */
export const agentcoreTagging: Pick<ResourceAdapter, 'listTags' | 'tagResource' | 'untagResource'> = {
  async listTags(resourceArn) {
    const response = await agentcore().send(new ListTagsForResourceCommand({ resourceArn }));
    return { ...response.tags };
  },
  async tagResource(resourceArn, tags) {
    await agentcore().send(new TagResourceCommand({ resourceArn, tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) }));
  },
  async untagResource(resourceArn, tagKeys) {
    await agentcore().send(new UntagResourceCommand({ resourceArn, tagKeys }));
  },
};
