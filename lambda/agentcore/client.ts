import { BedrockAgentCoreControlClient } from '@aws-sdk/client-bedrock-agentcore-control';
import { clientConfig } from '../core/client-config';

let client: BedrockAgentCoreControlClient | undefined;

/**
 * One client per Lambda container; tests replace its calls with aws-sdk-client-mock. No endpoint is
 * set: the SDK honours AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL by itself.
 */
export function agentcore(): BedrockAgentCoreControlClient {
  client ??= new BedrockAgentCoreControlClient(clientConfig());
  return client;
}
