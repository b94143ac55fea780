/**
 * What every AgentCore adapter shares: the client, status mapping, ARNs, idempotency tokens and
 * tagging.
 */
import type { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { GetDatasetCommand, newAgentCoreClient, TagResourceCommand, UntagResourceCommand } from './sdk.deferred';
import type { LifecycleState, Tagging } from '../core/adapter';
import { type RequestContext, shortHash } from '../core/naming';

let client: BedrockAgentCoreControlClient | undefined;

/**
 * One client per Lambda container; tests replace its calls with aws-sdk-client-mock. No endpoint is
 * set: the SDK honours AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL by itself.
 */
export function agentcore(): BedrockAgentCoreControlClient {
  client ??= newAgentCoreClient();
  return client;
}

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

/**
 * Tags are read from GetDataset, which documents them for datasets. TagResource and UntagResource
 * are only called to change the user's tags; the Service Authorization Reference lists no dataset
 * resource type for them, so the handler may call them on "*" (the only grant IAM is sure to honour).
 */
export const datasetTagging: Tagging = {
  async list(datasetArn) {
    const dataset = await agentcore().send(new GetDatasetCommand({ datasetId: datasetIdOf(datasetArn) }));
    return { ...dataset.tags };
  },
  async tag(resourceArn, tags) {
    await agentcore().send(new TagResourceCommand({ resourceArn, tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) }));
  },
  async untag(resourceArn, tagKeys) {
    await agentcore().send(new UntagResourceCommand({ resourceArn, tagKeys: [...tagKeys] }));
  },
};
