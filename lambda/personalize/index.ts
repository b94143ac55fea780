/**
 * The Personalize custom-resource handlers: one onEvent and one isComplete for every Personalize
 * resource type, dispatched on the CloudFormation resource type.
 */
import { datasetAdapter } from './dataset';
import { datasetGroupAdapter } from './dataset-group';
import { datasetImportAdapter } from './dataset-import';
import { schemaAdapter } from './schema';
import { createHandlers } from '../core/lifecycle';

export const { onEvent, isComplete } = createHandlers([datasetGroupAdapter, schemaAdapter, datasetAdapter, datasetImportAdapter]);
