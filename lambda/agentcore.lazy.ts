/** The Amazon Bedrock AgentCore resource types: a chunk of the handler bundle, loaded on first use. */
import { evaluationDatasetAdapter } from './agentcore/evaluation-dataset';

export const adapters = [evaluationDatasetAdapter];
