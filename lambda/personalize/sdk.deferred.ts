/**
 * The Personalize API as the adapters use it: its commands, and the client made as every client of
 * the handlers is (core/client.ts). A deferred module: bundled into the chunk, initialized when one of
 * its exports is first read (see deferredModules in scripts/handler-build-options.ts).
 */
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { bounded, clientConfig } from '../core/client';

export {
  CreateDatasetCommand, CreateDatasetGroupCommand, CreateDatasetImportJobCommand, CreateEventTrackerCommand, CreateSchemaCommand,
  DeleteDatasetCommand, DeleteDatasetGroupCommand, DeleteEventTrackerCommand, DeleteSchemaCommand,
  DescribeDatasetCommand, DescribeDatasetGroupCommand, DescribeDatasetImportJobCommand, DescribeEventTrackerCommand, DescribeSchemaCommand,
  ListEventTrackersCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';

export function newPersonalizeClient(): PersonalizeClient {
  return bounded(new PersonalizeClient(clientConfig()));
}
