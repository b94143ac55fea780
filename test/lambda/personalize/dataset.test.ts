import {
  CreateDatasetCommand, Dataset, DeleteDatasetCommand, DescribeDatasetCommand, DescribeSchemaCommand, ListTagsForResourceCommand,
  PersonalizeClient, TagResourceCommand, UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contextOf, ownerTagValue } from '../../../lambda/core/naming';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { OWNER_TAG_KEY } from '../../../src/contract';
import {
  completeEvent, createEvent, DATASET_ARN as ARN, DATASET_PROPERTIES as PROPS, deleteEvent, GROUP_ARN as GROUP, SCHEMA_V1_ARN as SCHEMA_V1,
  SCHEMA_V2_ARN as SCHEMA_V2, serviceError, updateEvent,
} from '../fixtures';
import {
  alreadyGoneIsDeleted, expectCreated, failedCreateNeedsNoCall, subjectOf, tagsChangeInPlace, throttledWaitIsNoFailure, unexpectedDeleteErrorFails,
  unmanagedTypeIsRefused, waitBoundChangeCallsNothing, waitBoundFailsCreate,
} from '../shared-cases';

const TYPE = 'Custom::PersonalizeDataset';
const ITEMS_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/ITEMS';
const ITEMS = { DatasetGroupArn: GROUP, DatasetType: 'Items', SchemaArn: SCHEMA_V1 };
const personalize = mockClient(PersonalizeClient);
const OWNER = ownerTagValue(contextOf(createEvent(TYPE, {})));
/** The Provider framework's first poll after a create is skipped by the core; these polls come later. */
const LATER = () => Date.now() - 5_000;

const subject = subjectOf(TYPE, ARN, personalize, { describe: DescribeDatasetCommand, delete: DeleteDatasetCommand }, {
  properties: PROPS,
  describes: (...statuses) => describes(...statuses.map((status) => ({ status }))),
});

beforeEach(() => {
  personalize.reset();
  resetHandlers();
  jest.restoreAllMocks();
});

function describes(...datasets: Array<Record<string, unknown>>) {
  let mock = personalize.on(DescribeDatasetCommand);
  for (const d of datasets) {
    // `failureReason` is not in DescribeDataset's documented response; it is passed through if it comes.
    mock = mock.resolvesOnce({ dataset: { datasetArn: ARN, name: 'retail-interactions', datasetType: 'INTERACTIONS', ...d } as Dataset });
  }
}

describe('create', () => {
  test('creates in the group with the type, schema, user tags and the ownership tag', async () => {
    personalize.on(CreateDatasetCommand).resolves({ datasetArn: ARN });
    const response = await onEvent(createEvent(TYPE, { ...PROPS, Name: 'retail-interactions', Tags: [{ Key: 'team', Value: 'recs' }] }));
    expect(personalize.commandCalls(CreateDatasetCommand)[0].args[0].input).toEqual({
      name: 'retail-interactions',
      datasetGroupArn: GROUP,
      datasetType: 'Interactions',
      schemaArn: SCHEMA_V1,
      tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
    expectCreated(response, ARN, { DatasetArn: ARN });
  });

  test('generates a valid name, the same for a retried request', async () => {
    personalize.on(CreateDatasetCommand).resolves({ datasetArn: ARN });
    await onEvent(createEvent(TYPE, PROPS));
    await onEvent(createEvent(TYPE, PROPS));
    const names = personalize.commandCalls(CreateDatasetCommand).map((c) => c.args[0].input.name!);
    expect(names[0]).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(names[1]).toBe(names[0]);
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('isComplete waits while %s', async (status) => {
    describes({ status });
    await expect(isComplete(completeEvent(createEvent(TYPE, PROPS), { PhysicalResourceId: ARN, WaitStartedAt: LATER() })))
      .resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandWith(DescribeDatasetCommand, { datasetArn: ARN });
  });

  test('isComplete completes on ACTIVE with the attributes', async () => {
    describes({ status: 'ACTIVE', schemaArn: SCHEMA_V1 });
    await expect(isComplete(completeEvent(createEvent(TYPE, PROPS), { PhysicalResourceId: ARN, WaitStartedAt: LATER() })))
      .resolves.toEqual({ IsComplete: true, Data: { DatasetArn: ARN, DatasetName: 'retail-interactions', DatasetType: 'INTERACTIONS' } });
  });

  test('CREATE FAILED fails the deployment, with a reason when the service gives one', async () => {
    describes({ status: 'CREATE FAILED', failureReason: 'Schema does not match the dataset type' });
    await expect(isComplete(completeEvent(createEvent(TYPE, PROPS), { PhysicalResourceId: ARN, WaitStartedAt: LATER() })))
      .rejects.toThrow(`Personalize dataset ${ARN} is CREATE FAILED: Schema does not match the dataset type`);
  });

  test('CREATE FAILED without a reason says so', async () => {
    describes({ status: 'CREATE FAILED' });
    await expect(isComplete(completeEvent(createEvent(TYPE, PROPS), { PhysicalResourceId: ARN, WaitStartedAt: LATER() })))
      .rejects.toThrow(`Personalize dataset ${ARN} is CREATE FAILED: the service gave no reason`);
  });

  test('a create Personalize rejects passes its reason through (e.g. a group that is not ACTIVE)', async () => {
    personalize.on(CreateDatasetCommand).rejects(serviceError('ResourceInUseException', 'Dataset group retail is in CREATE PENDING state'));
    await expect(onEvent(createEvent(TYPE, { ...PROPS, Name: 'retail-interactions' })))
      .rejects.toThrow('Could not create Personalize dataset "retail-interactions": ResourceInUseException: Dataset group retail is in CREATE PENDING state');
  });

  test('a retried create adopts the group\'s dataset of that type when it has this request\'s name and ownership tag', async () => {
    personalize.on(CreateDatasetCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset already exists'));
    personalize.on(DescribeDatasetCommand, { datasetArn: ARN }).resolves({ dataset: { datasetArn: ARN, name: 'retail-interactions' } });
    personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: OWNER }] });
    const response = await onEvent(createEvent(TYPE, { ...PROPS, Name: 'retail-interactions' }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ARN });
    expect(personalize).toHaveReceivedCommandTimes(CreateDatasetCommand, 1);
  });

  test.each([
    ['another name', { name: 'someone-elses' }, { tags: [{ tagKey: OWNER_TAG_KEY, tagValue: OWNER }] }],
    ['no ownership tag', { name: 'retail-interactions' }, { tags: [{ tagKey: 'team', tagValue: 'other' }] }],
  ])('the group\'s dataset of that type with %s is not adopted, and left alone', async (_title, dataset, tags) => {
    personalize.on(CreateDatasetCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset already exists'));
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, ...dataset } });
    personalize.on(ListTagsForResourceCommand).resolves(tags);
    await expect(onEvent(createEvent(TYPE, { ...PROPS, Name: 'retail-interactions' })))
      .rejects.toThrow(/Could not create Personalize dataset "retail-interactions": ResourceAlreadyExistsException: Dataset already exists. The existing one was not created by this stack resource/);
    expect(personalize).not.toHaveReceivedCommand(DeleteDatasetCommand);
    expect(personalize).not.toHaveReceivedCommand(TagResourceCommand);
  });

  test('a taken place whose dataset is gone by the time it is looked at is not adopted', async () => {
    personalize.on(CreateDatasetCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset already exists'));
    personalize.on(DescribeDatasetCommand).rejects(serviceError('ResourceNotFoundException', 'not found'));
    await expect(onEvent(createEvent(TYPE, { ...PROPS, Name: 'retail-interactions' }))).rejects.toThrow(/not created by this stack resource/);
  });

  throttledWaitIsNoFailure(subject);
  waitBoundFailsCreate(subject);
});

describe('update', () => {
  tagsChangeInPlace(subject, 'a change of tags only keeps the dataset, and brings its tags to the new set once it is ACTIVE', {
    tags: [{ Key: 'team', Value: 'search' }],
    active: () => describes({ status: 'ACTIVE', schemaArn: SCHEMA_V1 }),
    notCalled: [CreateDatasetCommand, UpdateDatasetCommand],
  });
  waitBoundChangeCallsNothing(subject);

  describe.each([['Items', ITEMS_ARN], ['Users', 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/USERS']])('a new schema for a %s dataset', (type, arn) => {
    const before = { ...ITEMS, DatasetType: type };
    const after = { ...before, SchemaArn: SCHEMA_V2 };
    const event = updateEvent(TYPE, arn, before, after);
    const later = (response: { PhysicalResourceId: string }) => completeEvent(event, { ...response, WaitStartedAt: Date.now() });

    const dataset = { datasetArn: arn, name: 'retail', datasetType: type.toUpperCase(), status: 'ACTIVE', schemaArn: SCHEMA_V1 };

    test('is applied in place with UpdateDataset once the dataset is ACTIVE, keeping the dataset', async () => {
      personalize.on(UpdateDatasetCommand).resolves({ datasetArn: arn });
      personalize.on(DescribeDatasetCommand).resolves({ dataset });
      const response = await onEvent(event);
      expect(response.PhysicalResourceId).toBe(arn);
      expect(personalize.calls()).toHaveLength(0);
      await expect(isComplete(later(response))).resolves.toEqual({ IsComplete: false });
      expect(personalize).toHaveReceivedCommandWith(UpdateDatasetCommand, { datasetArn: arn, schemaArn: SCHEMA_V2 });
      expect(personalize).not.toHaveReceivedCommand(CreateDatasetCommand);
    });

    test('is waited for until its latestDatasetUpdate is ACTIVE, and asked for once', async () => {
      personalize.on(UpdateDatasetCommand).resolves({ datasetArn: arn });
      const response = await onEvent(event);
      personalize.on(DescribeDatasetCommand)
        .resolvesOnce({ dataset }) // not started yet: neither the dataset nor an update shows the new schema
        .resolvesOnce({ dataset: { ...dataset, latestDatasetUpdate: { schemaArn: SCHEMA_V2, status: 'UPDATE PENDING' } } })
        .resolvesOnce({ dataset: { ...dataset, status: 'UPDATE IN_PROGRESS', latestDatasetUpdate: { schemaArn: SCHEMA_V2, status: 'UPDATE IN_PROGRESS' } } })
        .resolvesOnce({ dataset: { ...dataset, schemaArn: SCHEMA_V2, latestDatasetUpdate: { schemaArn: SCHEMA_V2, status: 'ACTIVE' } } });
      await expect(isComplete(later(response))).resolves.toEqual({ IsComplete: false });
      await expect(isComplete(later(response))).resolves.toEqual({ IsComplete: false });
      await expect(isComplete(later(response))).resolves.toEqual({ IsComplete: false });
      await expect(isComplete(later(response))).resolves.toEqual({
        IsComplete: true, Data: { DatasetArn: arn, DatasetName: 'retail', DatasetType: type.toUpperCase() },
      });
      expect(personalize).toHaveReceivedCommandTimes(UpdateDatasetCommand, 1);
    });

    test('that fails passes its failureReason through', async () => {
      const response = await onEvent(event);
      personalize.on(DescribeDatasetCommand).resolves({
        dataset: {
          ...dataset,
          latestDatasetUpdate: { schemaArn: SCHEMA_V2, status: 'UPDATE FAILED', failureReason: 'New schema must contain all fields of the previous schema' },
        },
      });
      await expect(isComplete(later(response))).rejects.toThrow(`Personalize dataset ${arn}: the update to schema ${SCHEMA_V2} is UPDATE FAILED: ` +
        'New schema must contain all fields of the previous schema');
      expect(personalize).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });

    test('that the dataset itself reports as UPDATE FAILED fails with the update\'s reason', async () => {
      personalize.on(DescribeDatasetCommand).resolves({
        dataset: { ...dataset, status: 'UPDATE FAILED', latestDatasetUpdate: { schemaArn: SCHEMA_V2, status: 'UPDATE FAILED', failureReason: 'Field GENRES changed type' } },
      });
      await expect(isComplete(completeEvent(event, { PhysicalResourceId: arn, WaitStartedAt: Date.now() }))).rejects.toThrow(/UPDATE FAILED: Field GENRES changed type/);
    });

    test('that Personalize refuses fails with its reason', async () => {
      personalize.on(DescribeDatasetCommand).resolves({ dataset });
      personalize.on(UpdateDatasetCommand).rejects(serviceError('InvalidInputException', 'Schema is not compatible'));
      await expect(isComplete(later(await onEvent(event))))
        .rejects.toThrow(`Could not finish the in-place update of Personalize dataset ${arn}: InvalidInputException: Schema is not compatible`);
    });

    test('that Personalize refuses while an import job writes to the dataset is waited out', async () => {
      personalize.on(DescribeDatasetCommand).resolves({ dataset });
      personalize.on(UpdateDatasetCommand).rejectsOnce(serviceError('ResourceInUseException', 'Dataset import job is in progress')).resolves({ datasetArn: arn });
      const response = await onEvent(event);
      await expect(isComplete(later(response))).resolves.toEqual({ IsComplete: false });
      await expect(isComplete(later(response))).resolves.toEqual({ IsComplete: false });
      expect(personalize).toHaveReceivedCommandTimes(UpdateDatasetCommand, 2);
    });

    test('a rollback to the schema the dataset still has (the update failed) calls no UpdateDataset', async () => {
      const rollback = updateEvent(TYPE, arn, after, before);
      personalize.on(DescribeDatasetCommand).resolves({
        dataset: { ...dataset, latestDatasetUpdate: { schemaArn: SCHEMA_V2, status: 'UPDATE FAILED', failureReason: 'no' } },
      });
      await expect(isComplete(completeEvent(rollback, await onEvent(rollback)))).resolves.toMatchObject({ IsComplete: true });
      expect(personalize).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });
  });

  test.each(['Interactions', 'Actions', 'Action_Interactions'])('a new schema with other content for an %s dataset fails before any change', async (type) => {
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, status: 'ACTIVE', schemaArn: SCHEMA_V1 } });
    personalize.on(DescribeSchemaCommand, { schemaArn: SCHEMA_V1 }).resolves({ schema: { schema: '{"type":"record","name":"Interactions","fields":[]}' } });
    personalize.on(DescribeSchemaCommand, { schemaArn: SCHEMA_V2 }).resolves({ schema: { schema: '{"type":"record","name":"Interactions","fields":[{"name":"X","type":"int"}]}' } });
    await expect(onEvent(updateEvent(TYPE, ARN, { ...PROPS, DatasetType: type }, { ...PROPS, DatasetType: type, SchemaArn: SCHEMA_V2 })))
      .rejects.toThrow(`Cannot change the schema of Personalize dataset ${ARN} from ${SCHEMA_V1} to ${SCHEMA_V2}: Personalize replaces the schema ` +
        `of Items and Users datasets only, not of ${type} datasets, and a replacement in the same dataset group cannot be created while this one ` +
        'exists. Nothing was changed.');
    expect(personalize).not.toHaveReceivedCommand(UpdateDatasetCommand);
    expect(personalize).not.toHaveReceivedCommand(CreateDatasetCommand);
    expect(personalize).not.toHaveReceivedCommand(DeleteDatasetCommand);
  });

  test('a new schema with the same content for an Interactions dataset (a renamed schema, or one a rollback recreated) is accepted as is', async () => {
    const document = { type: 'record', name: 'Interactions', fields: [{ name: 'USER_ID', type: 'string' }] };
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, name: 'retail', datasetType: 'INTERACTIONS', status: 'ACTIVE', schemaArn: SCHEMA_V1 } });
    personalize.on(DescribeSchemaCommand, { schemaArn: SCHEMA_V1 }).resolves({ schema: { schema: JSON.stringify(document), domain: 'ECOMMERCE' } });
    personalize.on(DescribeSchemaCommand, { schemaArn: SCHEMA_V2 }).resolves({ schema: { schema: JSON.stringify(document, undefined, 2), domain: 'ECOMMERCE' } });
    const event = updateEvent(TYPE, ARN, PROPS, { ...PROPS, SchemaArn: SCHEMA_V2 });
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize).not.toHaveReceivedCommand(UpdateDatasetCommand);
    // The dataset keeps the schema it has: nothing to wait for.
    await expect(isComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() })))
      .resolves.toEqual({ IsComplete: true, Data: { DatasetArn: ARN, DatasetName: 'retail', DatasetType: 'INTERACTIONS' } });
  });

  test('a new schema for an Interactions dataset that already uses it needs no call', async () => {
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, status: 'ACTIVE', schemaArn: SCHEMA_V2 } });
    await onEvent(updateEvent(TYPE, ARN, PROPS, { ...PROPS, SchemaArn: SCHEMA_V2 }));
    expect(personalize).not.toHaveReceivedCommand(DescribeSchemaCommand);
  });

  test('a new name in the same group and type fails before any call: the replacement could not be created', async () => {
    await expect(onEvent(updateEvent(TYPE, ARN, { ...PROPS, Name: 'a' }, { ...PROPS, Name: 'b' })))
      .rejects.toThrow(`Cannot change Name of Personalize dataset ${ARN} (Retail1A2B3C4D): Personalize cannot change it in place, and a replacement ` +
        'in the same dataset group cannot be created while this Interactions dataset exists (a group holds one dataset of each type). Nothing was changed.');
    expect(personalize.calls()).toHaveLength(0);
  });

  test('a change of only the dataset type\'s case is no change', async () => {
    const response = await onEvent(updateEvent(TYPE, ARN, { ...PROPS, DatasetType: 'INTERACTIONS' }, PROPS));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize.calls()).toHaveLength(0);
  });

  const GROUP2 = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail2';
  test.each([
    ['group', { DatasetGroupArn: GROUP2 }, 'arn:aws:personalize:us-east-1:123456789012:dataset/retail2/INTERACTIONS',
      { datasetGroupArn: GROUP2, datasetType: 'Interactions', schemaArn: SCHEMA_V1 }],
    ['type', { DatasetType: 'Action_Interactions' }, 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/ACTION_INTERACTIONS',
      { datasetGroupArn: GROUP, datasetType: 'Action_Interactions', schemaArn: SCHEMA_V1 }],
    ['group and schema', { DatasetGroupArn: GROUP2, SchemaArn: SCHEMA_V2 }, 'arn:aws:personalize:us-east-1:123456789012:dataset/retail2/INTERACTIONS',
      { datasetGroupArn: GROUP2, datasetType: 'Interactions', schemaArn: SCHEMA_V2 }],
  ])('a new %s replaces the dataset under a new generated name', async (_title, change, newArn, expected) => {
    personalize.on(CreateDatasetCommand).resolves({ datasetArn: newArn });
    const response = await onEvent(updateEvent(TYPE, ARN, PROPS, { ...PROPS, ...change }));
    expect(response.PhysicalResourceId).toBe(newArn);
    const input = personalize.commandCalls(CreateDatasetCommand)[0].args[0].input;
    expect(input).toMatchObject(expected);
    expect(input.name).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(personalize).not.toHaveReceivedCommand(UpdateDatasetCommand);
  });

  test('a fixed name that would need replacing fails before any change', async () => {
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, name: 'retail', datasetGroupArn: GROUP, datasetType: 'INTERACTIONS' } });
    await expect(onEvent(updateEvent(TYPE, ARN, { ...PROPS, Name: 'retail' },
      { ...PROPS, Name: 'retail', DatasetGroupArn: GROUP2 })))
      .rejects.toThrow(/Cannot change DatasetGroupArn of Personalize dataset "retail".*Nothing was changed/);
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeDatasetCommand']);
  });

  test('CloudFormation rolling that refusal back asks for what the dataset has: no change, no error', async () => {
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, name: 'retail', datasetGroupArn: GROUP, datasetType: 'INTERACTIONS' } });
    const response = await onEvent(updateEvent(TYPE, ARN, { ...PROPS, Name: 'retail', DatasetGroupArn: GROUP2 },
      { ...PROPS, Name: 'retail' }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeDatasetCommand']);
  });
});

describe('delete', () => {
  test('deletes, then waits through DELETE PENDING until the dataset is gone', async () => {
    personalize.on(DeleteDatasetCommand).resolves({});
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    expect(personalize).toHaveReceivedCommandWith(DeleteDatasetCommand, { datasetArn: ARN });
    personalize.on(DescribeDatasetCommand)
      .resolvesOnce({ dataset: { datasetArn: ARN, status: 'DELETE PENDING' } })
      .resolvesOnce({ dataset: { datasetArn: ARN, status: 'DELETE IN_PROGRESS' } })
      .rejectsOnce(serviceError('ResourceNotFoundException', 'gone'));
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
    expect(personalize).toHaveReceivedCommandTimes(DeleteDatasetCommand, 1);
  });

  alreadyGoneIsDeleted(subject, 'a dataset that is already gone counts as deleted, twice over');
  failedCreateNeedsNoCall(subject);

  test('a running import job delays the delete: asked again with a growing interval until it is issued', async () => {
    let clock = 5_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    personalize.on(DeleteDatasetCommand)
      .rejectsOnce(serviceError('ResourceInUseException', 'Dataset import job arn:...:dataset-import-job/load is in progress'))
      .resolves({});
    personalize.on(DescribeDatasetCommand)
      .resolvesOnce({ dataset: { datasetArn: ARN, status: 'ACTIVE' } })
      .resolvesOnce({ dataset: { datasetArn: ARN, status: 'ACTIVE' } })
      .resolvesOnce({ dataset: { datasetArn: ARN, status: 'DELETE PENDING' } })
      .rejects(serviceError('ResourceNotFoundException', 'gone'));
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    const poll = () => isComplete(completeEvent(event, response));
    clock += 1_000;
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteDatasetCommand, 1);
    clock += 1_500;
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteDatasetCommand, 2);
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    await expect(poll()).resolves.toEqual({ IsComplete: true });
  });

  test('an import job still running at the bound fails the delete with the reason', async () => {
    personalize.on(DeleteDatasetCommand).rejects(serviceError('ResourceInUseException', 'Dataset import job is in progress'));
    personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: ARN, status: 'ACTIVE' } });
    const event = deleteEvent(TYPE, ARN, { WaitTimeoutSeconds: '300' });
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() - 301_000 })))
      .rejects.toThrow(/Timed out after 300 seconds waiting for Personalize dataset .* to be deleted; last status: ACTIVE: ResourceInUseException: Dataset import job is in progress/);
  });

  test('a dataset still being created is waited for, then deleted', async () => {
    personalize.on(DeleteDatasetCommand)
      .rejectsOnce(serviceError('ResourceInUseException', 'Dataset is in CREATE IN_PROGRESS state'))
      .resolves({});
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    describes({ status: 'CREATE IN_PROGRESS' }, { status: 'DELETE PENDING' });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DeleteDatasetCommand, 1); // still being created: not asked again
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
  });

  unexpectedDeleteErrorFails(subject, /Could not delete Personalize dataset .*: AccessDeniedException: not allowed/);
});

unmanagedTypeIsRefused(/manages Custom::PersonalizeDatasetGroup, Custom::PersonalizeSchema, Custom::PersonalizeDataset/,
  'every Personalize resource type goes through the same handler');
