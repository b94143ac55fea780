/**
 * The Personalize custom-resource handlers: one onEvent and one isComplete for every Personalize
 * resource type, dispatched on the CloudFormation resource type.
 */
import { createHandlers } from '../core/lifecycle';
import { datasetGroupAdapter } from './dataset-group';

export const { onEvent, isComplete } = createHandlers([datasetGroupAdapter]);
