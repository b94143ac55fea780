/**
 * The AgentCore control API as the adapters use it: its commands, and the client made as every
 * client of the handlers is (core/client.ts). A deferred module: bundled into the chunk, initialized
 * when one of its exports is first read (see deferredModules in scripts/handler-build-options.ts).
 */
import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { bounded, clientConfig } from '../core/client';

export {
  AddDatasetExamplesCommand, CreateDatasetCommand, CreateDatasetVersionCommand, DeleteDatasetCommand,
  DeleteDatasetExamplesCommand, GetDatasetCommand, ListDatasetExamplesCommand, ListDatasetsCommand,
  ListDatasetVersionsCommand, TagResourceCommand, UntagResourceCommand, UpdateDatasetCommand, UpdateDatasetExamplesCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';

export function newAgentCoreClient(): BedrockAgentCoreControlClient {
  return bounded(new BedrockAgentCoreControlClient(clientConfig()));
}
