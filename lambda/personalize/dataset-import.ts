/**
 * Personalize dataset import jobs. The physical id is the job's ARN; a job imports one source once.
 *
 *   Create  A local file (StagedFrom) is first copied from the CDK asset bucket to DataLocation,
 *           in the library's staging bucket, whose policy lets Personalize read it. Then
 *           CreateDatasetImportJob into the dataset (ACTIVE: the template creates the import after
 *           the dataset's resource has completed), with the role Personalize reads the data with,
 *           and the core waits for ACTIVE; CREATE FAILED fails the deployment with the job's
 *           failureReason. A job of an earlier deployment still running in the dataset
 *           (ResourceInUseException) is waited for, and the create tried again, up to the wait
 *           bound. With WaitForCompletion false, the job counts as done once it is created (CREATE
 *           PENDING or IN_PROGRESS): its ARN is returned for the user to follow. A retried create
 *           whose job name is taken adopts that job only when it carries this stack resource's
 *           ownership tag (job ARNs follow from their names). Once the job has ended, its staged
 *           copy is removed.
 *   Update  Any change of what is imported (dataset, data location, asset, mode, role, job name) is a
 *           new import job: a replacement, under a new generated name; the dataset keeps its ARN.
 *           Tags change in place, and a change of WaitForCompletion alone calls nothing.
 *   Delete  Import jobs cannot be stopped or deleted, and the imported data stays in the dataset. The
 *           deletion waits while the job is still running, so that deleting the dataset after it does
 *           not meet a running import job; then a staged copy is removed, and it is done.
 */
import type { DatasetImportJob, ImportMode } from '@aws-sdk/client-personalize';
import { isPersonalizeArn, lifecycleState, nameFromArn, personalize, personalizeArn, personalizeTagging, toPersonalizeTags, classifyPersonalizeError } from './common';
import { CreateDatasetImportJobCommand, DescribeDatasetImportJobCommand } from './sdk.deferred';
import type { Properties } from '../../src/contract';
import type { ResourceAdapter } from '../core/adapter';
import { classifyError, describeError, isPassing } from '../core/errors';
import { replacingOrRefuse } from '../core/replacement';
import { objects, parseS3Uri } from '../objects';
import { RULES } from '../rules';

type ImportProperties = Properties<'DatasetImport'>;

export const datasetImportAdapter: ResourceAdapter<'DatasetImport'> = {
  resource: 'DatasetImport',
  description: RULES.DatasetImport.description,
  isPhysicalId: (id) => isPersonalizeArn('dataset-import-job', id),
  attributesOf: (datasetImportJobArn) => ({ DatasetImportJobArn: datasetImportJobArn, JobName: nameFromArn(datasetImportJobArn) }),
  classifyError: classifyPersonalizeError,
  // A job imports once: whatever changes what is imported (including properties added later) is a new job.
  replacedBy: (change) => replacingOrRefuse(RULES.DatasetImport.decide(change)),

  async create({ properties, name, tags }) {
    if (properties.StagedFrom) {
      try {
        await objects().copy(parseS3Uri(properties.StagedFrom), parseS3Uri(properties.DataLocation));
      } catch (error) {
        // Worth waiting out (throttling, a timeout): the core tries the create again.
        if (isPassing(classifyError(error))) throw error;
        // The core adds which job could not be created.
        throw new Error(`the local file ${properties.StagedFrom} could not be copied to ${properties.DataLocation}, ` +
          `where Personalize reads it: ${describeError(error)}`);
      }
    }
    const response = await personalize().send(new CreateDatasetImportJobCommand({
      jobName: name,
      datasetArn: properties.DatasetArn,
      dataSource: { dataLocation: properties.DataLocation },
      roleArn: properties.RoleArn,
      importMode: properties.ImportMode as ImportMode | undefined,
      tags: toPersonalizeTags(tags),
    }));
    return response.datasetImportJobArn!;
  },

  async describe(datasetImportJobArn, properties, deleting) {
    const { datasetImportJob: job } = await personalize().send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }));
    const status = job?.status ?? 'UNKNOWN';
    const state = lifecycleState(status);
    if (deleting) {
      // An import job is "deleted" once it has ended and its staged copy is gone.
      if (state === 'in-progress') {
        return { state: 'deleting', status: `${status} (an import job cannot be stopped or deleted: waiting for it to finish)` };
      }
      if (properties.StagedFrom && await objects().exists(parseS3Uri(properties.DataLocation))) {
        return { state: 'ready', status: `${status}, its staged copy ${properties.DataLocation} not removed yet` };
      }
      return undefined;
    }
    const attributes = { DatasetImportJobArn: datasetImportJobArn, JobName: job?.jobName ?? nameFromArn(datasetImportJobArn) };
    if (state === 'in-progress' && properties.WaitForCompletion === false) {
      return { state: 'ready', status: `${status} (not waited for: waitForCompletion is false)`, attributes, description: job };
    }
    return { state, status, failureReason: job?.failureReason, attributes, description: job };
  },

  // Import jobs cannot be deleted: the core waits (describe) while the job runs; then the staged copy goes.
  async delete(datasetImportJobArn, properties) {
    if (!properties.StagedFrom) return;
    const { datasetImportJob: job } = await personalize().send(new DescribeDatasetImportJobCommand({ datasetImportJobArn }));
    if (lifecycleState(job?.status ?? 'UNKNOWN') === 'in-progress') return;
    await removeStagedCopy(properties);
  },

  capabilities: {
    tagging: personalizeTagging,
    // Only WaitForCompletion changes in place, and it is read by describe: nothing to call.
    update: {
      async apply() {
        return { done: true };
      },
    },
    // Once the job has ended (it was waited for), its staged copy has served.
    followUp: {
      async run({ properties, observation }) {
        const job = observation.description as DatasetImportJob | undefined;
        if (properties.StagedFrom && lifecycleState(job?.status ?? 'UNKNOWN') !== 'in-progress') await removeStagedCopy(properties);
        return { done: true };
      },
    },
    // Import job ARNs follow from the job name, so the holder of a taken name is known without a search.
    adoption: {
      async findExisting({ context, name }) {
        return { physicalId: personalizeArn(context, 'dataset-import-job', name) };
      },
    },
    // A job of an earlier deployment still runs in the dataset: create this one once it has ended.
    deferredCreate: {
      physicalIdOf: ({ context, name }) => personalizeArn(context, 'dataset-import-job', name),
    },
  },
};

async function removeStagedCopy(properties: ImportProperties): Promise<void> {
  await objects().remove(parseS3Uri(properties.DataLocation));
}
