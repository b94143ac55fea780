import {
  CreateDatasetImportJobCommand, DatasetImportJob, DescribeDatasetImportJobCommand, ListTagsForResourceCommand, PersonalizeClient,
  TagResourceCommand,
} from '@aws-sdk/client-personalize';
import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contextOf, ownerTagValue } from '../../../lambda/core/naming';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { ObjectStore, S3Object, setObjectStore } from '../../../lambda/objects';
import { OWNER_TAG_KEY } from '../../../src/contract';
import {
  completeEvent, createEvent, DATASET_ARN as DATASET, deleteEvent, IMPORT_JOB_ARN as ARN, IMPORT_PROPERTIES as PROPS, IMPORT_ROLE_ARN as ROLE,
  serviceError, updateEvent,
} from '../fixtures';
import { expectCreated, subjectOf, tagsChangeInPlace, waitBoundChangeCallsNothing } from '../shared-cases';

const TYPE = 'Custom::PersonalizeDatasetImport';
const JOB_PREFIX = 'arn:aws:personalize:us-east-1:123456789012:dataset-import-job/';
const NEW_ARN = `${JOB_PREFIX}Recommendations-Retail1A2B3C4D-0123456789ab`;
const HASH = 'f013f7af1d6c24cc9902119f7874442c1ed0b82ac3542c6c372ac553302fe782';
const ASSET_PROPS = {
  ...PROPS,
  DataLocation: `s3://recommendations-stagingbucket-1x2y3z/${HASH}.csv`,
  StagedFrom: `s3://cdk-hnb659fds-assets-123456789012-us-east-1/${HASH}.csv`,
  AssetHash: HASH,
};
const personalize = mockClient(PersonalizeClient);
const OWNER = ownerTagValue(contextOf(createEvent(TYPE, {})));
/** The Provider framework's first poll after a create is skipped by the core; these polls come later. */
const LATER = () => Date.now() - 5_000;

let copies: Array<{ source: S3Object; target: S3Object }>;
let removed: S3Object[];
/** The staging bucket's objects: `bucket/key`. */
let stored: Set<string>;
const recordingStore: ObjectStore = {
  copy: async (source, target) => {
    copies.push({ source, target });
    stored.add(`${target.bucket}/${target.key}`);
  },
  exists: async (object) => stored.has(`${object.bucket}/${object.key}`),
  remove: async (object) => {
    removed.push(object);
    stored.delete(`${object.bucket}/${object.key}`);
  },
  read: async () => '',
};

const subject = subjectOf(TYPE, ARN, personalize, { describe: DescribeDatasetImportJobCommand }, {
  properties: PROPS,
  describes: (...statuses) => describes(...statuses.map((status) => ({ status }))),
});

beforeEach(() => {
  personalize.reset();
  copies = [];
  removed = [];
  stored = new Set();
  setObjectStore(recordingStore);
  resetHandlers();
  jest.restoreAllMocks();
});

function describes(...jobs: Array<Partial<DatasetImportJob>>) {
  let mock = personalize.on(DescribeDatasetImportJobCommand);
  for (const job of jobs) {
    mock = mock.resolvesOnce({ datasetImportJob: { datasetImportJobArn: ARN, jobName: 'retail-interactions-2024-06', ...job } });
  }
}

const poll = (event = createEvent(TYPE, PROPS), physicalId = ARN, startedAt = LATER()) =>
  isComplete(completeEvent(event, { PhysicalResourceId: physicalId, WaitStartedAt: startedAt }));

describe('create', () => {
  test('creates the import job into the dataset, with the role, the mode, user tags and the ownership tag', async () => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: ARN });
    const response = await onEvent(createEvent(TYPE, { ...PROPS, JobName: 'retail-interactions-2024-06', Tags: [{ Key: 'team', Value: 'recs' }] }));
    expect(personalize.commandCalls(CreateDatasetImportJobCommand)[0].args[0].input).toEqual({
      jobName: 'retail-interactions-2024-06',
      datasetArn: DATASET,
      dataSource: { dataLocation: 's3://shop-data/interactions/2024-06.csv' },
      roleArn: ROLE,
      importMode: 'FULL',
      tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
    expectCreated(response, ARN, { DatasetImportJobArn: ARN, JobName: 'retail-interactions-2024-06' });
    expect(copies).toEqual([]);
  });

  test('generates a valid job name, the same for a retried request', async () => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: NEW_ARN });
    await onEvent(createEvent(TYPE, PROPS));
    await onEvent(createEvent(TYPE, PROPS));
    const names = personalize.commandCalls(CreateDatasetImportJobCommand).map((c) => c.args[0].input.jobName!);
    expect(names[0]).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(names[1]).toBe(names[0]);
  });

  test('an incremental import', async () => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: ARN });
    await onEvent(createEvent(TYPE, { ...PROPS, ImportMode: 'INCREMENTAL' }));
    expect(personalize).toHaveReceivedCommandWith(CreateDatasetImportJobCommand, { importMode: 'INCREMENTAL' });
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('isComplete waits while %s', async (status) => {
    describes({ status });
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandWith(DescribeDatasetImportJobCommand, { datasetImportJobArn: ARN });
  });

  test('isComplete completes on ACTIVE with the job\'s ARN and name', async () => {
    describes({ status: 'ACTIVE' });
    await expect(poll()).resolves.toEqual({
      IsComplete: true, Data: { DatasetImportJobArn: ARN, JobName: 'retail-interactions-2024-06' },
    });
  });

  test('CREATE FAILED fails the deployment with the job\'s failureReason', async () => {
    describes({ status: 'CREATE FAILED', failureReason: 'Input CSV is missing the following columns: [TIMESTAMP]' });
    await expect(poll()).rejects
      .toThrow(`Personalize dataset import job ${ARN} is CREATE FAILED: Input CSV is missing the following columns: [TIMESTAMP]`);
  });

  test('CREATE FAILED without a reason says so', async () => {
    describes({ status: 'CREATE FAILED' });
    await expect(poll()).rejects.toThrow(`Personalize dataset import job ${ARN} is CREATE FAILED: the service gave no reason`);
  });

  test('a job not visible yet is waited for', async () => {
    personalize.on(DescribeDatasetImportJobCommand).rejectsOnce(serviceError('ResourceNotFoundException', 'not found'));
    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  test('throttling while waiting is not a failure: the next poll tries again', async () => {
    personalize.on(DescribeDatasetImportJobCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'));
    await expect(poll()).resolves.toEqual({ IsComplete: false });
  });

  test('another error while waiting fails with the service\'s words', async () => {
    personalize.on(DescribeDatasetImportJobCommand).rejectsOnce(serviceError('AccessDeniedException', 'not authorized'));
    await expect(poll()).rejects
      .toThrow(`Could not read the status of Personalize dataset import job ${ARN}: AccessDeniedException: not authorized`);
  });

  test('the wait fails with the last status once the import\'s own bound has passed', async () => {
    describes({ status: 'CREATE IN_PROGRESS' });
    const event = createEvent(TYPE, { ...PROPS, WaitTimeoutSeconds: '3600' });
    await expect(poll(event, ARN, Date.now() - 3601_000))
      .rejects.toThrow(/Timed out after 3600 seconds waiting for Personalize dataset import job .* to become ACTIVE; last status: CREATE IN_PROGRESS/);
  });

  test('a create Personalize rejects passes its reason through', async () => {
    personalize.on(CreateDatasetImportJobCommand).rejects(serviceError('InvalidInputException', 'The data location is not in the dataset\'s region'));
    await expect(onEvent(createEvent(TYPE, { ...PROPS, JobName: 'retail-interactions-2024-06' }))).rejects.toThrow(
      'Could not create Personalize dataset import job "retail-interactions-2024-06": InvalidInputException: The data location is not in the dataset\'s region');
  });

  test('a job of an earlier deployment still running in the dataset is waited for; the job is created once it has ended', async () => {
    personalize.on(CreateDatasetImportJobCommand)
      .rejectsOnce(serviceError('ResourceInUseException', `Dataset ${DATASET} has an import job in progress`))
      .rejectsOnce(serviceError('ResourceInUseException', `Dataset ${DATASET} has an import job in progress`))
      .resolves({ datasetImportJobArn: ARN });
    const event = createEvent(TYPE, { ...PROPS, JobName: 'retail-interactions-2024-06' });
    const response = await onEvent(event);
    expect(response).toMatchObject({ PhysicalResourceId: ARN, CreatePending: true });
    personalize.on(DescribeDatasetImportJobCommand)
      .rejectsOnce(serviceError('ResourceNotFoundException', 'no such job'))
      .rejectsOnce(serviceError('ResourceNotFoundException', 'no such job'))
      .resolves({ datasetImportJob: { datasetImportJobArn: ARN, jobName: 'retail-interactions-2024-06', status: 'ACTIVE' } });
    const later = completeEvent(event, { ...response, WaitStartedAt: Date.now() - 5_000 });
    await expect(isComplete(later)).resolves.toEqual({ IsComplete: false }); // still in use
    await expect(isComplete(later)).resolves.toEqual({ IsComplete: false }); // created now
    await expect(isComplete(later)).resolves.toMatchObject({ IsComplete: true, Data: { DatasetImportJobArn: ARN } });
    expect(personalize).toHaveReceivedCommandTimes(CreateDatasetImportJobCommand, 3);
  });

  test('Personalize\'s limit of 5 running import jobs a region is waited out like a running job', async () => {
    personalize.on(CreateDatasetImportJobCommand).rejects(serviceError('LimitExceededException',
      'More than 5 resources with PENDING or IN_PROGRESS status. You can have a total of 5 pending or in progress dataset import jobs per region.'));
    await expect(onEvent(createEvent(TYPE, { ...PROPS, JobName: 'retail-interactions-2024-06' }))).resolves.toMatchObject({ CreatePending: true });
  });

  test('a retried create adopts the job under its name when it carries this stack resource\'s ownership tag', async () => {
    personalize.on(CreateDatasetImportJobCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset import job already exists'));
    personalize.on(ListTagsForResourceCommand, { resourceArn: ARN }).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: OWNER }] });
    const response = await onEvent(createEvent(TYPE, { ...PROPS, JobName: 'retail-interactions-2024-06' }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize).toHaveReceivedCommandTimes(CreateDatasetImportJobCommand, 1);
  });

  test('a job under that name without the ownership tag is not adopted, and left alone', async () => {
    personalize.on(CreateDatasetImportJobCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset import job already exists'));
    personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: 'team', tagValue: 'other' }] });
    await expect(onEvent(createEvent(TYPE, { ...PROPS, JobName: 'retail-interactions-2024-06' })))
      .rejects.toThrow(/ResourceAlreadyExistsException: Dataset import job already exists. The existing one was not created by this stack resource/);
    expect(personalize).not.toHaveReceivedCommand(TagResourceCommand);
  });
});

describe('not waiting for completion (waitForCompletion: false)', () => {
  const event = createEvent(TYPE, { ...PROPS, WaitForCompletion: 'false' });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE'])('a job that is %s completes the resource with its ARN', async (status) => {
    describes({ status });
    await expect(poll(event)).resolves.toEqual({
      IsComplete: true, Data: { DatasetImportJobArn: ARN, JobName: 'retail-interactions-2024-06' },
    });
  });

  test('a job that has already failed still fails the deployment with its reason', async () => {
    describes({ status: 'CREATE FAILED', failureReason: 'Access denied for s3://shop-data/interactions/2024-06.csv' });
    await expect(poll(event)).rejects.toThrow(/is CREATE FAILED: Access denied for s3:\/\/shop-data/);
  });
});

describe('a local file (StagedFrom)', () => {
  test('is copied from the asset bucket to the data location before the job is created', async () => {
    personalize.on(CreateDatasetImportJobCommand).callsFake(async () => {
      expect(copies).toHaveLength(1); // the copy is in place when Personalize is asked to read it
      return { datasetImportJobArn: ARN };
    });
    await onEvent(createEvent(TYPE, ASSET_PROPS));
    expect(copies).toEqual([{
      source: { bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1', key: `${HASH}.csv` },
      target: { bucket: 'recommendations-stagingbucket-1x2y3z', key: `${HASH}.csv` },
    }]);
    expect(personalize).toHaveReceivedCommandWith(CreateDatasetImportJobCommand, {
      dataSource: { dataLocation: `s3://recommendations-stagingbucket-1x2y3z/${HASH}.csv` },
    });
  });

  test('a copy that fails fails the create with the S3 error, and no job is created', async () => {
    setObjectStore({
      ...recordingStore,
      copy: async () => {
        throw serviceError('AccessDenied', 'Access Denied', 403);
      },
    });
    await expect(onEvent(createEvent(TYPE, { ...ASSET_PROPS, JobName: 'retail-interactions-2024-06' }))).rejects.toThrow(
      `Could not create Personalize dataset import job "retail-interactions-2024-06": the local file ${ASSET_PROPS.StagedFrom} could ` +
      `not be copied to ${ASSET_PROPS.DataLocation}, where Personalize reads it: AccessDenied: Access Denied`);
    expect(personalize).not.toHaveReceivedCommand(CreateDatasetImportJobCommand);
  });

  test('a location that is not s3://<bucket>/<key> is refused', async () => {
    await expect(onEvent(createEvent(TYPE, { ...ASSET_PROPS, StagedFrom: 's3://only-a-bucket' })))
      .rejects.toThrow('s3://only-a-bucket is not an s3://<bucket>/<key> location');
    expect(copies).toEqual([]);
  });

  test('the store as built copies with S3 CopyObject, then creates the job', async () => {
    setObjectStore(); // the store as built: the lazily loaded S3 client
    const s3 = mockClient(S3Client);
    s3.on(CopyObjectCommand).resolves({});
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: ARN });
    await onEvent(createEvent(TYPE, ASSET_PROPS));
    expect(s3).toHaveReceivedCommandWith(CopyObjectCommand, {
      Bucket: 'recommendations-stagingbucket-1x2y3z',
      Key: `${HASH}.csv`,
      CopySource: `cdk-hnb659fds-assets-123456789012-us-east-1/${HASH}.csv`,
    });
    s3.restore();
  });

  test('a refused S3 copy fails the create with S3\'s reason, before any job is created', async () => {
    setObjectStore();
    const s3 = mockClient(S3Client);
    s3.on(CopyObjectCommand).rejects(serviceError('AccessDenied', 'Access Denied', 403));
    await expect(onEvent(createEvent(TYPE, ASSET_PROPS))).rejects.toThrow(/could not be copied to .*: AccessDenied: Access Denied/);
    expect(personalize).not.toHaveReceivedCommand(CreateDatasetImportJobCommand);
    s3.restore();
  });
});

describe('update', () => {
  test.each([
    ['another key', { DataLocation: 's3://shop-data/interactions/2024-07.csv' }],
    ['another mode', { ImportMode: 'INCREMENTAL' }],
    ['another role', { RoleArn: 'arn:aws:iam::123456789012:role/other' }],
    ['another dataset', { DatasetArn: 'arn:aws:personalize:us-east-1:123456789012:dataset/other/INTERACTIONS' }],
  ])('%s runs a new import job under a new generated name; the old job is left as it is', async (_title, change) => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: NEW_ARN });
    const response = await onEvent(updateEvent(TYPE, ARN, PROPS, { ...PROPS, ...change }));
    expect(response.PhysicalResourceId).toBe(NEW_ARN);
    const input = personalize.commandCalls(CreateDatasetImportJobCommand)[0].args[0].input;
    expect(input).toMatchObject({ datasetArn: DATASET, roleArn: ROLE, importMode: 'FULL', ...lowerCaseKeys(change) });
    expect(input.jobName).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(personalize.calls()).toHaveLength(1);
  });

  test('a changed local file (a new asset hash) is copied and imported by a new job', async () => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: NEW_ARN });
    const hash = 'a'.repeat(64);
    const changed = {
      ...ASSET_PROPS,
      DataLocation: `s3://recommendations-stagingbucket-1x2y3z/${hash}.csv`,
      StagedFrom: `s3://cdk-hnb659fds-assets-123456789012-us-east-1/${hash}.csv`,
      AssetHash: hash,
    };
    const response = await onEvent(updateEvent(TYPE, ARN, ASSET_PROPS, changed));
    expect(response.PhysicalResourceId).toBe(NEW_ARN);
    expect(copies.map((c) => c.source.key)).toEqual([`${hash}.csv`]);
    expect(personalize).toHaveReceivedCommandWith(CreateDatasetImportJobCommand, { dataSource: { dataLocation: changed.DataLocation } });
  });

  waitBoundChangeCallsNothing(subject, {
    title: 'an unchanged import (only the wait bound changed) calls nothing', before: '3600', also: () => expect(copies).toEqual([]),
  });

  test('a change of waitForCompletion alone keeps the job and calls nothing; the next poll reads it', async () => {
    const event = updateEvent(TYPE, ARN, { ...PROPS, WaitForCompletion: 'false' }, PROPS);
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize.calls()).toHaveLength(0);
    describes({ status: 'CREATE IN_PROGRESS' });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
  });

  tagsChangeInPlace(subject, 'a change of tags only is applied to the job in place', {
    tags: [{ Key: 'team', Value: 'search' }],
    notCalled: [CreateDatasetImportJobCommand],
  });

  test('a new source with the same fixed job name fails before anything is changed', async () => {
    const fixed = { ...PROPS, JobName: 'retail-interactions' };
    await expect(onEvent(updateEvent(TYPE, ARN, fixed, { ...fixed, DataLocation: 's3://shop-data/interactions/2024-07.csv' })))
      .rejects.toThrow(/Cannot change DataLocation of Personalize dataset import job "retail-interactions" .* Nothing was changed/);
    expect(personalize.calls()).toHaveLength(0);
  });

  test('a new source with a new fixed job name runs a job under that name', async () => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: `${JOB_PREFIX}retail-interactions-2024-07` });
    const response = await onEvent(updateEvent(TYPE, ARN, { ...PROPS, JobName: 'retail-interactions-2024-06' },
      { ...PROPS, JobName: 'retail-interactions-2024-07', DataLocation: 's3://shop-data/interactions/2024-07.csv' }));
    expect(response.PhysicalResourceId).toBe(`${JOB_PREFIX}retail-interactions-2024-07`);
    expect(personalize).toHaveReceivedCommandWith(CreateDatasetImportJobCommand, { jobName: 'retail-interactions-2024-07' });
  });

  test('the new job is waited for like a created one', async () => {
    personalize.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: NEW_ARN });
    const event = updateEvent(TYPE, ARN, PROPS, { ...PROPS, DataLocation: 's3://shop-data/interactions/2024-07.csv' });
    const response = await onEvent(event);
    personalize.on(DescribeDatasetImportJobCommand, { datasetImportJobArn: NEW_ARN })
      .resolvesOnce({ datasetImportJob: { datasetImportJobArn: NEW_ARN, status: 'CREATE IN_PROGRESS' } })
      .resolvesOnce({ datasetImportJob: { datasetImportJobArn: NEW_ARN, status: 'CREATE FAILED', failureReason: 'Bad CSV' } });
    const later = completeEvent(event, { ...response, WaitStartedAt: Date.now() - 5_000 });
    await expect(isComplete(later)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(later)).rejects.toThrow(`Personalize dataset import job ${NEW_ARN} is CREATE FAILED: Bad CSV`);
  });
});

describe('delete', () => {
  test('calls nothing on Personalize (import jobs cannot be deleted), then waits while the job runs', async () => {
    const event = deleteEvent(TYPE, ARN, PROPS);
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize.calls()).toHaveLength(0);
    describes({ status: 'CREATE PENDING' }, { status: 'CREATE IN_PROGRESS' }, { status: 'ACTIVE' });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(Array(3).fill('DescribeDatasetImportJobCommand'));
  });

  test.each(['ACTIVE', 'CREATE FAILED'])('a finished job (%s) is done at once; the imported data stays in the dataset', async (status) => {
    const event = deleteEvent(TYPE, ARN, PROPS);
    describes({ status });
    await expect(isComplete(completeEvent(event, await onEvent(event)))).resolves.toEqual({ IsComplete: true });
  });

  test('a job that is gone (its dataset was deleted) is done', async () => {
    const event = deleteEvent(TYPE, ARN, PROPS);
    personalize.on(DescribeDatasetImportJobCommand).rejects(serviceError('ResourceNotFoundException', 'not found'));
    await expect(isComplete(completeEvent(event, await onEvent(event)))).resolves.toEqual({ IsComplete: true });
  });

  test('a job that runs past the wait bound fails the deletion, saying it is waited for', async () => {
    const event = deleteEvent(TYPE, ARN, { ...PROPS, WaitTimeoutSeconds: '60' });
    describes({ status: 'CREATE IN_PROGRESS' });
    await expect(isComplete(completeEvent(event, { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 61_000 }))).rejects.toThrow(
      /Timed out after 60 seconds .* to be deleted; last status: CREATE IN_PROGRESS \(an import job cannot be stopped or deleted: waiting for it to finish\)/);
  });

  test('throttling while waiting is not a failure', async () => {
    const event = deleteEvent(TYPE, ARN, PROPS);
    personalize.on(DescribeDatasetImportJobCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'));
    await expect(isComplete(completeEvent(event, await onEvent(event)))).resolves.toEqual({ IsComplete: false });
  });

  test('a create that failed before Personalize returned an ARN leaves nothing to wait for', async () => {
    const event = deleteEvent(TYPE, 'Retail1A2B3C4D-request-id', PROPS);
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
    expect(personalize.calls()).toHaveLength(0);
  });
});

/** { DataLocation: x } as CreateDatasetImportJob's input spells it. */
function lowerCaseKeys(change: Record<string, string>): Record<string, unknown> {
  const names: Record<string, (v: string) => Record<string, unknown>> = {
    DataLocation: (v) => ({ dataSource: { dataLocation: v } }),
    ImportMode: (v) => ({ importMode: v }),
    RoleArn: (v) => ({ roleArn: v }),
    DatasetArn: (v) => ({ datasetArn: v }),
  };
  return Object.assign({}, ...Object.entries(change).map(([k, v]) => names[k](v)));
}
