/** The Personalize resource types: a chunk of the handler bundle, loaded on first use. */
import { datasetAdapter } from './personalize/dataset';
import { datasetGroupAdapter } from './personalize/dataset-group';
import { datasetImportAdapter } from './personalize/dataset-import';
import { eventTrackerAdapter } from './personalize/event-tracker';
import { schemaAdapter } from './personalize/schema';

export const adapters = [datasetGroupAdapter, schemaAdapter, datasetAdapter, datasetImportAdapter, eventTrackerAdapter];
