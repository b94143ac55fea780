/**
 * Personalize dataset import jobs. The physical id is the job's ARN; a job imports one source once.
 *
 *   Create  A local file (StagedFrom) is first copied from the CDK asset bucket to DataLocation,
 *           in the library's staging bucket, whose policy lets Personalize read it. Then
 *           CreateDatasetImportJob into the dataset (ACTIVE: the template creates the import after
 *           the dataset's resource has completed), with the role Personalize reads the data with,
 *           and the core waits for ACTIVE; CREATE FAILED fails the deployment with the job's
 *           failureReason. With WaitForCompletion false, the job counts as done once it is created
 *           (CREATE PENDING or IN_PROGRESS): its ARN is returned for the user to follow. A retried
 *           create whose job name is taken adopts that job only when it carries this stack
 *           resource's ownership tag (job ARNs follow from their names).
 *   Update  Any change of what is imported (dataset, data location, asset, mode, role, job name) is a
 *           new import job: a replacement, under a new generated name; the dataset keeps its ARN.
 *           Tags change in place, and a change of WaitForCompletion alone calls nothing.
 *   Delete  Import jobs cannot be stopped or deleted, and the imported data stays in the dataset. The
 *           delete waits while the job is still running, so that deleting the dataset after it does
 *           not meet a running import job; a finished job (ACTIVE or CREATE FAILED) is done.
 */
import { CreateDatasetImportJobCommand, DescribeDatasetImportJobCommand, ImportMode } from '@aws-sdk/client-personalize';
import { personalize } from './client';
import {
  generateName, isPersonalizeArn, lifecycleState, nameFromArn, personalizeArn, personalizeTagging, toPersonalizeTags,
} from './common';
import { describeError, LifecycleError } from '../core/errors';
import { ResourceAdapter } from '../core/types';

/** Properties that steer the wait, not what is imported: they change in place. */
const IN_PLACE = ['WaitForCompletion'];

/** An S3 object, as `s3://<bucket>/<key>`. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/** Copies an object within S3 (CopyObject), for local files staged before their import. */
export type ObjectCopier = (source: S3Object, target: S3Object) => Promise<void>;

/** The S3 copy, loaded on first use (a bundle of its own: only imports from local files need it). */
const builtInCopier: ObjectCopier = async (source, target) => {
  // require, not import(): the bundle is CommonJS, and Node resolves './s3-copy.lazy' to its .js file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { copyObject: copy } = require('./s3-copy.lazy') as typeof import('./s3-copy.lazy');
  await copy(source, target);
};
let copyObject = builtInCopier;

/** Replaces the S3 copy (tests), or restores the built-in one. */
export function setObjectCopier(copier?: ObjectCopier): void {
  copyObject = copier ?? builtInCopier;
}

export const datasetImportAdapter: ResourceAdapter = {
  resourceType: 'Custom::PersonalizeDatasetImport',
  description: 'Personalize dataset import job',
  nameProperty: 'JobName',
  generateName,
  replaceOnChange: ['JobName', 'DatasetArn', 'DataLocation', 'StagedFrom', 'AssetHash', 'ImportMode', 'RoleArn'],
  // A job imports once: whatever changes what is imported (including properties added later) is a new job.
  replacedBy: ({ changed }) => changed.filter((key) => !IN_PLACE.includes(key)),
  isPhysicalId: (id) => isPersonalizeArn('dataset-import-job', id),

  async create({ properties, name, tags }) {
    if (properties.StagedFrom) {
      const source = parseS3Uri(properties.StagedFrom);
      const target = parseS3Uri(properties.DataLocation);
      try {
        await copyObject(source, target);
      } catch (error) {
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

  // Import job ARNs follow from the job name, so the holder of a taken name is known without a search.
  async findExisting({ context, name }) {
    return personalizeArn(context, 'dataset-import-job', name);
  },

  async describe(datasetImportJobArn, properties) {
    let job;
    try {
      ({ datasetImportJob: job } = await personalize().send(new DescribeDatasetImportJobCommand({ datasetImportJobArn })));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    const status = job?.status ?? 'UNKNOWN';
    const state = lifecycleState(status);
    if (!properties) {
      // Deleting: a job that has finished has nothing left to wait for; one that runs is waited for.
      return state === 'in-progress'
        ? { state, status: `${status} (an import job cannot be stopped or deleted: waiting for it to finish)` }
        : undefined;
    }
    const attributes = { DatasetImportJobArn: datasetImportJobArn, JobName: job?.jobName ?? nameFromArn(datasetImportJobArn) };
    if (state === 'in-progress' && String(properties.WaitForCompletion) === 'false') {
      return { state: 'ready', status: `${status} (not waited for: waitForCompletion is false)`, attributes };
    }
    return { state, status, failureReason: job?.failureReason, attributes };
  },

  // Only WaitForCompletion changes in place, and it is read by describe: nothing to call.
  async update() {
    return;
  },

  // Import jobs cannot be deleted: isComplete waits (through describe) while the job still runs.
  async delete() {
    return;
  },

  attributesOf: (datasetImportJobArn) => ({ DatasetImportJobArn: datasetImportJobArn, JobName: nameFromArn(datasetImportJobArn) }),

  ...personalizeTagging,
};

/** s3://<bucket>/<key> */
function parseS3Uri(uri: string): S3Object {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(uri));
  if (!match) throw new LifecycleError(`cdk-datasets: ${uri} is not an s3://<bucket>/<key> location`);
  return { bucket: match[1], key: match[2] };
}
