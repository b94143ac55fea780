/**
 * The Amazon Bedrock AgentCore custom-resource handlers: one onEvent and one isComplete for every
 * AgentCore resource type, dispatched on the CloudFormation resource type.
 */
import { evaluationDatasetAdapter } from './evaluation-dataset';
import { createHandlers } from '../core/lifecycle';

export const { onEvent, isComplete } = createHandlers([evaluationDatasetAdapter]);
