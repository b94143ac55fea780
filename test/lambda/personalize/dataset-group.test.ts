import {
  CreateDatasetGroupCommand, DeleteDatasetGroupCommand, DescribeDatasetGroupCommand, ListTagsForResourceCommand,
  PersonalizeClient, TagResourceCommand,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contextOf, ownerTagValue } from '../../../lambda/core/naming';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { OWNER_TAG_KEY } from '../../../src/contract';
import { completeEvent, createEvent, deleteEvent, GROUP_ARN as ARN, serviceError, updateEvent } from '../fixtures';
import {
  alreadyGoneIsDeleted, expectCreated, failedCreateNeedsNoCall, stillCreatingIsWaitedFor, subjectOf, tagsChangeInPlace, throttledWaitIsNoFailure,
  unexpectedDeleteErrorFails, unmanagedTypeIsRefused, waitBoundChangeCallsNothing, waitBoundFailsCreate,
} from '../shared-cases';

const TYPE = 'Custom::PersonalizeDatasetGroup';
const personalize = mockClient(PersonalizeClient);
const OWNER = ownerTagValue(contextOf(createEvent(TYPE, {})));

const subject = subjectOf(TYPE, ARN, personalize, { describe: DescribeDatasetGroupCommand, delete: DeleteDatasetGroupCommand }, {
  describes: (...statuses) => describes(...statuses),
});

beforeEach(() => {
  personalize.reset();
  resetHandlers();
});

function describes(...statuses: Array<string | { status: string; failureReason?: string }>) {
  let mock = personalize.on(DescribeDatasetGroupCommand);
  for (const s of statuses) {
    const group = typeof s === 'string' ? { status: s } : s;
    mock = mock.resolvesOnce({ datasetGroup: { datasetGroupArn: ARN, name: 'retail', ...group } });
  }
}

describe('create', () => {
  test('creates under the fixed name with the domain, key, role, user tags and the ownership tag', async () => {
    personalize.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: ARN });
    const response = await onEvent(createEvent(TYPE, {
      Name: 'retail',
      Domain: 'ECOMMERCE',
      KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      RoleArn: 'arn:aws:iam::123456789012:role/r',
      Tags: [{ Key: 'team', Value: 'recs' }],
    }));
    expect(personalize).toHaveReceivedCommandWith(CreateDatasetGroupCommand, {
      name: 'retail',
      domain: 'ECOMMERCE',
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
    expectCreated(response, ARN, { DatasetGroupArn: ARN, DatasetGroupName: 'retail' });
  });

  test('generates a valid name from the stack and logical id, the same for a retried request', async () => {
    personalize.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: ARN });
    await onEvent(createEvent(TYPE, {}));
    await onEvent(createEvent(TYPE, {}));
    const names = personalize.commandCalls(CreateDatasetGroupCommand).map((c) => c.args[0].input.name!);
    expect(names[0]).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(names[0]).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}$/);
    expect(names[1]).toBe(names[0]);
  });

  test('a generated name stays within 63 characters for long stack names and ids', async () => {
    personalize.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: ARN });
    await onEvent(createEvent(TYPE, {}, {
      StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${'S'.repeat(120)}/guid`,
      LogicalResourceId: 'L'.repeat(200),
    }));
    const name = personalize.commandCalls(CreateDatasetGroupCommand)[0].args[0].input.name!;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/);
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('isComplete waits while %s', async (status) => {
    describes(status);
    const event = createEvent(TYPE, {});
    await expect(isComplete(completeEvent(event, { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, 1);
  });

  test('isComplete completes on ACTIVE with the attributes', async () => {
    describes('ACTIVE');
    const result = await isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: ARN }));
    expect(result).toEqual({ IsComplete: true, Data: { DatasetGroupArn: ARN, DatasetGroupName: 'retail' } });
    expect(personalize).toHaveReceivedCommandWith(DescribeDatasetGroupCommand, { datasetGroupArn: ARN });
  });

  test('CREATE FAILED fails with the service\'s failureReason', async () => {
    describes({ status: 'CREATE FAILED', failureReason: 'KMS key is not accessible by the role' });
    await expect(isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: ARN })))
      .rejects.toThrow(/CREATE FAILED: KMS key is not accessible by the role/);
  });

  test('a create rejected by the service passes its reason through', async () => {
    personalize.on(CreateDatasetGroupCommand).rejects(serviceError('LimitExceededException', 'Dataset group limit of 5 reached'));
    await expect(onEvent(createEvent(TYPE, { Name: 'retail' })))
      .rejects.toThrow('Could not create Personalize dataset group "retail": LimitExceededException: Dataset group limit of 5 reached');
  });

  test('a retried create adopts the group this stack resource made (ownership tag matches)', async () => {
    personalize.on(CreateDatasetGroupCommand).rejects(serviceError('ResourceAlreadyExistsException', 'exists'));
    personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: OWNER }] });
    const response = await onEvent(createEvent(TYPE, { Name: 'retail' }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ARN });
    expect(personalize).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 1);
  });

  test('a taken name owned by someone else fails and leaves that group alone', async () => {
    personalize.on(CreateDatasetGroupCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset group retail already exists'));
    personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: 'team', tagValue: 'other' }] });
    await expect(onEvent(createEvent(TYPE, { Name: 'retail' })))
      .rejects.toThrow(/already exists.*not created by this stack resource/);
    expect(personalize).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
    expect(personalize).not.toHaveReceivedCommand(TagResourceCommand);
  });

  throttledWaitIsNoFailure(subject);

  test('a server error while waiting is not a failure either', async () => {
    personalize.on(DescribeDatasetGroupCommand).rejectsOnce(serviceError('InternalServerError', 'oops', 500));
    await expect(isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, 1);
  });

  waitBoundFailsCreate(subject);

  test('a create refused by the account\'s request rate is tried again while waiting, under the ARN of its generated name', async () => {
    const throttled = serviceError('LimitExceededException', 'The limit on the number of requests per second has been exceeded.');
    personalize.on(CreateDatasetGroupCommand).rejectsOnce(throttled).resolves({});
    const event = createEvent(TYPE, {});
    const response = await onEvent(event);
    const name = personalize.commandCalls(CreateDatasetGroupCommand)[0].args[0].input.name!;
    const predicted = `arn:aws:personalize:us-east-1:123456789012:dataset-group/${name}`;
    expect(response).toMatchObject({ PhysicalResourceId: predicted, CreatePending: true });

    personalize.on(DescribeDatasetGroupCommand)
      .rejectsOnce(serviceError('ResourceNotFoundException', 'no such group'))
      .resolves({ datasetGroup: { datasetGroupArn: predicted, name, status: 'ACTIVE' } });
    const later = completeEvent(event, { ...response, WaitStartedAt: Date.now() - 5_000 });
    await expect(isComplete(later)).resolves.toEqual({ IsComplete: false }); // created now
    await expect(isComplete(later)).resolves.toMatchObject({ IsComplete: true, Data: { DatasetGroupArn: predicted } });
    expect(personalize).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 2);
  });

  test('a fixed name is not deferred: a group found under it later could be another owner\'s', async () => {
    personalize.on(CreateDatasetGroupCommand).rejects(serviceError('LimitExceededException', 'The limit on the number of requests per second has been exceeded.'));
    await expect(onEvent(createEvent(TYPE, { Name: 'retail' }))).rejects.toThrow(/Could not create .*"retail": LimitExceededException/);
  });
});

describe('update', () => {
  tagsChangeInPlace({ ...subject, properties: { Name: 'retail' } },
    'a change of tags only keeps the group, and brings its tags to the new set once it is ACTIVE', {
      tags: [{ Key: 'team', Value: 'search' }, { Key: 'new', Value: 'y' }],
      ownerTag: { tagKey: OWNER_TAG_KEY, tagValue: OWNER },
      completed: { IsComplete: true, Data: { DatasetGroupArn: ARN, DatasetGroupName: 'retail' } },
      notCalled: [CreateDatasetGroupCommand],
    });

  test('a tag call refused while the group is in use is waited out', async () => {
    personalize.on(ListTagsForResourceCommand).resolves({ tags: [] });
    personalize.on(TagResourceCommand).rejectsOnce(serviceError('ResourceInUseException', 'busy')).resolves({});
    personalize.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { datasetGroupArn: ARN, name: 'retail', status: 'ACTIVE' } });
    const event = updateEvent(TYPE, ARN, {}, { Tags: [{ Key: 'a', Value: 'b' }] });
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toMatchObject({ IsComplete: true });
    expect(personalize).toHaveReceivedCommandTimes(TagResourceCommand, 2);
  });

  waitBoundChangeCallsNothing(subject);

  test('a change of the domain replaces a group with a generated name under a new name', async () => {
    const NEW = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/new';
    personalize.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: NEW });
    const response = await onEvent(updateEvent(TYPE, ARN, {}, { Domain: 'ECOMMERCE' }));
    expect(response.PhysicalResourceId).toBe(NEW);
    const input = personalize.commandCalls(CreateDatasetGroupCommand)[0].args[0].input;
    expect(input.domain).toBe('ECOMMERCE');
    expect(input.name).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
  });

  test('a fixed name that would need replacing fails before any change, saying what to do', async () => {
    describes('ACTIVE'); // the group as it is: no key
    await expect(onEvent(updateEvent(TYPE, ARN, { Name: 'retail' }, { Name: 'retail', KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' })))
      .rejects.toThrow(/Cannot change KmsKeyArn of Personalize dataset group "retail".*Nothing was changed.*Remove the name/);
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeDatasetGroupCommand']);
  });

  test('CloudFormation rolling that refusal back asks for what the group has: no change, no error', async () => {
    describes('ACTIVE');
    const response = await onEvent(updateEvent(TYPE, ARN,
      { Name: 'retail', KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' }, { Name: 'retail' }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeDatasetGroupCommand']);
  });

  test('when the group cannot be read, the refusal stands', async () => {
    personalize.on(DescribeDatasetGroupCommand).rejects(serviceError('AccessDeniedException', 'no'));
    await expect(onEvent(updateEvent(TYPE, ARN, { Name: 'retail', KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' }, { Name: 'retail' })))
      .rejects.toThrow(/Cannot change KmsKeyArn/);
  });

  test('a new fixed name is a replacement under that name', async () => {
    const NEW = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail2';
    personalize.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: NEW });
    const response = await onEvent(updateEvent(TYPE, ARN, { Name: 'retail' }, { Name: 'retail2' }));
    expect(response.PhysicalResourceId).toBe(NEW);
    expect(personalize).toHaveReceivedCommandWith(CreateDatasetGroupCommand, { name: 'retail2' });
  });

  test('a tagging error passes the service\'s reason through', async () => {
    personalize.on(ListTagsForResourceCommand).resolves({ tags: [] });
    personalize.on(TagResourceCommand).rejects(serviceError('TooManyTagsException', 'Too many tags'));
    personalize.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { datasetGroupArn: ARN, name: 'retail', status: 'ACTIVE' } });
    const event = updateEvent(TYPE, ARN, {}, { Tags: [{ Key: 'a', Value: 'b' }] });
    await expect(isComplete(completeEvent(event, await onEvent(event))))
      .rejects.toThrow(/Could not finish the tag update of Personalize dataset group .*TooManyTagsException: Too many tags/);
  });
});

describe('delete', () => {
  test('deletes, then waits through DELETE PENDING until the group is gone', async () => {
    personalize.on(DeleteDatasetGroupCommand).resolves({});
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: ARN });

    personalize.on(DescribeDatasetGroupCommand)
      .resolvesOnce({ datasetGroup: { datasetGroupArn: ARN, status: 'DELETE PENDING' } })
      .rejectsOnce(serviceError('ResourceNotFoundException', 'gone'));
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
  });

  alreadyGoneIsDeleted(subject, 'a group that is already gone counts as deleted, twice over');
  failedCreateNeedsNoCall(subject);
  stillCreatingIsWaitedFor(subject, 'a group still being created is waited for, then deleted',
    serviceError('ResourceInUseException', 'Dataset group is in CREATE IN_PROGRESS state'));

  test('a group that still holds other resources is retried until the bound, then fails with the reason', async () => {
    personalize.on(DeleteDatasetGroupCommand).rejects(serviceError('ResourceInUseException', 'Dataset group has 1 dataset(s)'));
    describes('ACTIVE', 'ACTIVE');
    const event = deleteEvent(TYPE, ARN, { WaitTimeoutSeconds: '120' });
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() - 121_000 })))
      .rejects.toThrow(/Timed out after 120 seconds .* to be deleted; last status: ACTIVE: ResourceInUseException: Dataset group has 1 dataset\(s\)/);
  });

  unexpectedDeleteErrorFails(subject, /Could not delete .*AccessDeniedException: not allowed/);
});

unmanagedTypeIsRefused(/does not manage resources of type Custom::Other.*Custom::PersonalizeDatasetGroup/);
