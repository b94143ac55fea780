import {
  CreateEventTrackerCommand, DeleteEventTrackerCommand, DescribeEventTrackerCommand, EventTracker, ListEventTrackersCommand,
  ListTagsForResourceCommand, PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { contextOf, ownerTagValue } from '../../../lambda/core/naming';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { OWNER_TAG_KEY } from '../../../src/contract';
import { completeEvent, createEvent, deleteEvent, GROUP_ARN as GROUP, serviceError, TRACKER_ARN as ARN, updateEvent } from '../fixtures';
import {
  alreadyGoneIsDeleted, expectCreated, failedCreateNeedsNoCall, stillCreatingIsWaitedFor, subjectOf, tagsChangeInPlace, waitBoundChangeCallsNothing,
} from '../shared-cases';

const TYPE = 'Custom::PersonalizeEventTracker';
const GROUP2 = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail2';
const TRACKING_ID = 'b85e1111-a111-1111-1111-11111111aaaa';
const PROPS = { DatasetGroupArn: GROUP };
const personalize = mockClient(PersonalizeClient);
const OWNER = ownerTagValue(contextOf(createEvent(TYPE, {})));
const commands = () => personalize.calls().map((c) => c.args[0].constructor.name);

const subject = subjectOf(TYPE, ARN, personalize, { describe: DescribeEventTrackerCommand, delete: DeleteEventTrackerCommand }, {
  properties: PROPS,
  deleteProperties: PROPS,
  describes: (...statuses) => describes(...statuses),
});

beforeEach(() => {
  personalize.reset();
  resetHandlers();
});

function tracker(fields: Partial<EventTracker> = {}): EventTracker {
  return { eventTrackerArn: ARN, name: 'clicks', datasetGroupArn: GROUP, trackingId: TRACKING_ID, accountId: '123456789012', ...fields };
}

function describes(...statuses: string[]) {
  let mock = personalize.on(DescribeEventTrackerCommand);
  for (const status of statuses) mock = mock.resolvesOnce({ eventTracker: tracker({ status }) });
}

/** An isComplete request past the first second of its wait (the core skips the first status call). */
const polled = (event: ReturnType<typeof createEvent>, physicalId = ARN) =>
  completeEvent(event, { PhysicalResourceId: physicalId, WaitStartedAt: Date.now() - 5_000 });

describe('create', () => {
  test('creates under the fixed name in the group, with the user tags and the ownership tag', async () => {
    personalize.on(CreateEventTrackerCommand).resolves({ eventTrackerArn: ARN, trackingId: TRACKING_ID });
    const response = await onEvent(createEvent(TYPE, { ...PROPS, Name: 'clicks', Tags: [{ Key: 'team', Value: 'recs' }] }));
    expect(personalize).toHaveReceivedCommandWith(CreateEventTrackerCommand, {
      name: 'clicks',
      datasetGroupArn: GROUP,
      tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
    expectCreated(response, ARN, { EventTrackerArn: ARN });
    expect(commands()).toEqual(['CreateEventTrackerCommand']);
  });

  test('generates a valid name from the stack and logical id, the same for a retried request', async () => {
    personalize.on(CreateEventTrackerCommand).resolves({ eventTrackerArn: ARN, trackingId: TRACKING_ID });
    await onEvent(createEvent(TYPE, PROPS));
    await onEvent(createEvent(TYPE, PROPS));
    const names = personalize.commandCalls(CreateEventTrackerCommand).map((c) => c.args[0].input.name!);
    expect(names[0]).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(names[0]).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}$/);
    expect(names[1]).toBe(names[0]);
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('isComplete waits while %s', async (status) => {
    describes(status);
    await expect(isComplete(polled(createEvent(TYPE, PROPS)))).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandWith(DescribeEventTrackerCommand, { eventTrackerArn: ARN });
    expect(commands()).toEqual(['DescribeEventTrackerCommand']);
  });

  test('ACTIVE completes with the ARN, the name and the tracking id from DescribeEventTracker', async () => {
    describes('CREATE IN_PROGRESS', 'ACTIVE');
    const event = createEvent(TYPE, PROPS);
    await expect(isComplete(polled(event))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(polled(event))).resolves.toEqual({
      IsComplete: true, Data: { EventTrackerArn: ARN, EventTrackerName: 'clicks', TrackingId: TRACKING_ID },
    });
  });

  test('CREATE FAILED fails the deployment, saying the service gave no reason (a tracker has no failureReason)', async () => {
    describes('CREATE FAILED');
    await expect(isComplete(polled(createEvent(TYPE, PROPS))))
      .rejects.toThrow(`Personalize event tracker ${ARN} is CREATE FAILED: the service gave no reason`);
  });

  test('a second tracker in the group is refused with the service\'s words, and nothing is adopted', async () => {
    personalize.on(CreateEventTrackerCommand).rejects(serviceError('LimitExceededException',
      `Dataset group ${GROUP} already has an event tracker (${ARN}); a dataset group can have at most 1 event tracker.`));
    await expect(onEvent(createEvent(TYPE, { ...PROPS, Name: 'views' })))
      .rejects.toThrow(/Could not create Personalize event tracker "views": LimitExceededException: .*at most 1 event tracker/);
    expect(commands()).toEqual(['CreateEventTrackerCommand']);
  });

  describe('a retried create whose name is taken', () => {
    const taken = () => personalize.on(CreateEventTrackerCommand)
      .rejects(serviceError('ResourceAlreadyExistsException', 'Event tracker clicks already exists.'));
    const others = (n: number) => Array.from({ length: n }, (_, i) => ({
      name: `other-${i}`, eventTrackerArn: `arn:aws:personalize:us-east-1:123456789012:event-tracker/0000000${i}`,
    }));

    test('adopts the group\'s tracker of that name, found through the pages of ListEventTrackers, when it carries the ownership tag', async () => {
      taken();
      personalize.on(ListEventTrackersCommand)
        .resolvesOnce({ eventTrackers: others(2), nextToken: 'page-2' })
        .resolvesOnce({ eventTrackers: [{ name: 'clicks', eventTrackerArn: ARN, status: 'ACTIVE' }] });
      personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: OWNER }] });

      const response = await onEvent(createEvent(TYPE, { ...PROPS, Name: 'clicks' }));
      expect(response.PhysicalResourceId).toBe(ARN);
      const lists = personalize.commandCalls(ListEventTrackersCommand).map((c) => c.args[0].input);
      expect(lists).toEqual([{ datasetGroupArn: GROUP, nextToken: undefined }, { datasetGroupArn: GROUP, nextToken: 'page-2' }]);
      expect(personalize).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ARN });
      expect(personalize).toHaveReceivedCommandTimes(CreateEventTrackerCommand, 1);
    });

    test('leaves a tracker of that name without the ownership tag alone, and fails', async () => {
      taken();
      personalize.on(ListEventTrackersCommand).resolves({ eventTrackers: [{ name: 'clicks', eventTrackerArn: ARN }] });
      personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: 'someone-else' }] });
      await expect(onEvent(createEvent(TYPE, { ...PROPS, Name: 'clicks' })))
        .rejects.toThrow(/Could not create Personalize event tracker "clicks": ResourceAlreadyExistsException: .*not created by this stack resource/);
      expect(commands()).toEqual(['CreateEventTrackerCommand', 'ListEventTrackersCommand', 'ListTagsForResourceCommand']);
    });

    test('fails when the name is held outside the group (names are unique in the region), without touching anything', async () => {
      taken();
      personalize.on(ListEventTrackersCommand).resolves({ eventTrackers: others(1) });
      await expect(onEvent(createEvent(TYPE, { ...PROPS, Name: 'clicks' }))).rejects.toThrow(/not created by this stack resource/);
      expect(commands()).toEqual(['CreateEventTrackerCommand', 'ListEventTrackersCommand']);
    });
  });

  test('throttling while waiting is not a failure: the next poll asks again', async () => {
    personalize.on(DescribeEventTrackerCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'));
    await expect(isComplete(polled(createEvent(TYPE, PROPS)))).resolves.toEqual({ IsComplete: false });
  });
});

describe('update', () => {
  tagsChangeInPlace(subject, 'a change of tags keeps the tracker, and brings its tags to the new set once it is ACTIVE', {
    tags: [{ Key: 'team', Value: 'search' }, { Key: 'new', Value: 'y' }],
    ownerTag: { tagKey: OWNER_TAG_KEY, tagValue: OWNER },
    completed: { IsComplete: true, Data: { EventTrackerArn: ARN, EventTrackerName: 'clicks', TrackingId: TRACKING_ID } },
    notCalled: [CreateEventTrackerCommand],
  });

  test('a new group replaces the tracker: a new one in the new group, under a new generated name', async () => {
    const NEW = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/0a1b2c3d';
    personalize.on(CreateEventTrackerCommand).resolves({ eventTrackerArn: NEW, trackingId: 'new-tracking-id' });
    const response = await onEvent(updateEvent(TYPE, ARN, PROPS, { DatasetGroupArn: GROUP2 }));
    expect(response.PhysicalResourceId).toBe(NEW);
    const input = personalize.commandCalls(CreateEventTrackerCommand)[0].args[0].input;
    expect(input.datasetGroupArn).toBe(GROUP2);
    expect(input.name).toMatch(/^Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(commands()).toEqual(['CreateEventTrackerCommand']);
  });

  test('a new group and a new fixed name replace the tracker under that name', async () => {
    const NEW = 'arn:aws:personalize:us-east-1:123456789012:event-tracker/0a1b2c3d';
    personalize.on(CreateEventTrackerCommand).resolves({ eventTrackerArn: NEW, trackingId: 'new-tracking-id' });
    const response = await onEvent(updateEvent(TYPE, ARN, { ...PROPS, Name: 'clicks' }, { DatasetGroupArn: GROUP2, Name: 'views' }));
    expect(response.PhysicalResourceId).toBe(NEW);
    expect(personalize).toHaveReceivedCommandWith(CreateEventTrackerCommand, { name: 'views', datasetGroupArn: GROUP2 });
  });

  test.each([
    ['a new fixed name', { ...PROPS, Name: 'clicks' }, { ...PROPS, Name: 'views' }],
    ['a fixed name for a generated one', PROPS, { ...PROPS, Name: 'views' }],
    ['a generated name for a fixed one', { ...PROPS, Name: 'clicks' }, PROPS],
  ])('%s in the same group is refused before any change: the group cannot hold the replacement beside it', async (_title, before, after) => {
    describes('ACTIVE'); // the tracker as it is: named clicks
    await expect(onEvent(updateEvent(TYPE, ARN, before, after)))
      .rejects.toThrow(/Cannot change Name of Personalize event tracker .*a dataset group holds one event tracker.*Nothing was changed/);
    // Only a read: does the tracker have that name already (a rollback of this refusal)?
    expect(commands()).toEqual(['DescribeEventTrackerCommand']);
  });

  test('when the tracker cannot be read, the refusal of a rename stands', async () => {
    personalize.on(DescribeEventTrackerCommand).rejects(serviceError('AccessDeniedException', 'no'));
    await expect(onEvent(updateEvent(TYPE, ARN, { ...PROPS, Name: 'views' }, { ...PROPS, Name: 'clicks' })))
      .rejects.toThrow(/Cannot change Name of Personalize event tracker/);
  });

  test.each([
    ['back to its fixed name', { ...PROPS, Name: 'views' }, { ...PROPS, Name: 'clicks' }, 'clicks'],
    ['back to its generated name', { ...PROPS, Name: 'views' }, PROPS, 'Recommendations-Retail1A2B3C4D-0123456789ab'],
  ])('CloudFormation rolling a refused rename back (%s, which the tracker still has) is no change, no error', async (_title, before, after, name) => {
    personalize.on(DescribeEventTrackerCommand).resolves({ eventTracker: tracker({ name, status: 'ACTIVE' }) });
    const event = updateEvent(TYPE, ARN, before, after);
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    await expect(isComplete(completeEvent(event, response))).resolves.toMatchObject({ IsComplete: true });
    expect(commands()).toEqual(['DescribeEventTrackerCommand', 'DescribeEventTrackerCommand']);
  });

  test('a fixed name that would need replacing (a new group) is refused before any change, saying what to do', async () => {
    describes('ACTIVE'); // the tracker as it is: in the old group
    await expect(onEvent(updateEvent(TYPE, ARN, { ...PROPS, Name: 'clicks' }, { DatasetGroupArn: GROUP2, Name: 'clicks' })))
      .rejects.toThrow(/Cannot change DatasetGroupArn of Personalize event tracker "clicks".*Nothing was changed.*Remove the name/);
    expect(commands()).toEqual(['DescribeEventTrackerCommand']);
  });

  test('CloudFormation rolling that refusal back asks for the group the tracker is in: no change, no error', async () => {
    describes('ACTIVE');
    const response = await onEvent(updateEvent(TYPE, ARN, { DatasetGroupArn: GROUP2, Name: 'clicks' }, { ...PROPS, Name: 'clicks' }));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(commands()).toEqual(['DescribeEventTrackerCommand']);
  });

  waitBoundChangeCallsNothing(subject);
});

describe('delete', () => {
  test('DeleteEventTracker, then waits through DELETE PENDING and DELETE IN_PROGRESS until the tracker is gone', async () => {
    personalize.on(DeleteEventTrackerCommand).resolves({});
    const event = deleteEvent(TYPE, ARN, PROPS);
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(personalize).toHaveReceivedCommandWith(DeleteEventTrackerCommand, { eventTrackerArn: ARN });
    personalize.on(DescribeEventTrackerCommand)
      .resolvesOnce({ eventTracker: tracker({ status: 'DELETE PENDING' }) })
      .resolvesOnce({ eventTracker: tracker({ status: 'DELETE IN_PROGRESS' }) })
      .rejectsOnce(serviceError('ResourceNotFoundException', 'gone'));
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
    expect(personalize).toHaveReceivedCommandTimes(DeleteEventTrackerCommand, 1);
  });

  alreadyGoneIsDeleted(subject, 'a tracker that is already gone counts as deleted, twice over',
    () => serviceError('ResourceNotFoundException', `Resource Arn ${ARN} does not exist.`));

  test('throttling while waiting for the deletion is not a failure', async () => {
    personalize.on(DeleteEventTrackerCommand).resolves({});
    const event = deleteEvent(TYPE, ARN, PROPS);
    const response = await onEvent(event);
    personalize.on(DescribeEventTrackerCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ResourceNotFoundException', 'gone'));
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(personalize).toHaveReceivedCommandTimes(DescribeEventTrackerCommand, 1);
    // This container puts its next status call off after throttling; another one asks at once.
    resetHandlers();
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
  });

  stillCreatingIsWaitedFor(subject, 'a tracker still being created is waited for, then deleted',
    serviceError('ResourceInUseException', `${ARN} is CREATE IN_PROGRESS.`));
  failedCreateNeedsNoCall(subject);
});
