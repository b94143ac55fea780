/**
 * The event tracker handler end to end against the local emulator (rehearsal/emulator), next to
 * the dataset group's: the real SDK client and wire protocol, the service's generated tracker ARNs,
 * its one-tracker-per-group rule and the group's refusal to go while it holds a tracker.
 */
import { DescribeEventTrackerCommand, ListTagsForResourceCommand, PersonalizeClient } from '@aws-sdk/client-personalize';
import type { IsCompleteResponse, OnEventRequest, OnEventResponse } from '../../../lambda/core/lifecycle';
import { isComplete, onEvent } from '../../../lambda/index';
import { Emulator } from '../../../rehearsal/emulator';
import { OWNER_TAG_KEY } from '../../../src/contract';
import { HANDLER_ENVIRONMENT, useEmulator } from '../../support/emulator';
import { completeEvent, createEvent, deleteEvent, updateEvent } from '../fixtures';

const GROUP_TYPE = 'Custom::PersonalizeDatasetGroup';
const TRACKER_TYPE = 'Custom::PersonalizeEventTracker';

let emu: Emulator;
let client: PersonalizeClient;

// Every answer the handlers got was as the SDK models it.
useEmulator({ delays: { step: 5 }, checkModel: true }, (started) => {
  emu = started.emu;
  client = started.closes(new PersonalizeClient({ maxAttempts: 1 }));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
}, HANDLER_ENVIRONMENT);

let requests = 0;
/**
 * Plays one CloudFormation request as the Provider framework does: onEvent, then isComplete every
 * few ms until complete (the wait is made to look a few seconds old, past the first second in
 * which the handlers do not ask).
 */
async function deploy(event: OnEventRequest): Promise<{ response: OnEventResponse; result: IsCompleteResponse }> {
  const request = { ...event, RequestId: `request-${++requests}` };
  const response = await onEvent(request);
  const poll = completeEvent(request, { ...response, WaitStartedAt: Date.now() - 5_000 });
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const result = await isComplete(poll);
    if (result.IsComplete) return { response, result };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${event.RequestType} of ${event.LogicalResourceId} not complete after 20 s`);
}

const tagsOf = async (resourceArn: string) =>
  Object.fromEntries(((await client.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? []).map((t) => [t.tagKey, t.tagValue]));

test('a group, then its tracker: create, a retried create, tags in place, delete; the group goes only once the tracker is gone', async () => {
  const group = await deploy(createEvent(GROUP_TYPE, {}, { LogicalResourceId: 'Retail' }));
  const groupArn = group.response.PhysicalResourceId;
  expect(group.result.Data!.DatasetGroupArn).toBe(groupArn);

  const trackerProps = { DatasetGroupArn: groupArn, Tags: [{ Key: 'team', Value: 'recs' }] };
  const trackerEvent = createEvent(TRACKER_TYPE, trackerProps, { LogicalResourceId: 'Tracker' });
  const created = await deploy(trackerEvent);
  const arn = created.response.PhysicalResourceId;
  // The ARN ends in the service's id, not the generated name.
  expect(arn).toMatch(/^arn:aws:personalize:us-east-1:\d{12}:event-tracker\/[0-9a-f]{8}$/);
  const { eventTracker } = await client.send(new DescribeEventTrackerCommand({ eventTrackerArn: arn }));
  expect(eventTracker).toMatchObject({ status: 'ACTIVE', datasetGroupArn: groupArn });
  expect(created.result.Data).toEqual({
    EventTrackerArn: arn,
    EventTrackerName: eventTracker!.name,
    TrackingId: eventTracker!.trackingId,
  });
  expect(eventTracker!.trackingId).toMatch(/^[0-9a-f-]{36}$/);
  expect(eventTracker!.name).toMatch(/^Recommendations-Tracker-[0-9a-f]{12}$/);
  expect(await tagsOf(arn)).toEqual({ team: 'recs', [OWNER_TAG_KEY]: expect.any(String) });

  // The same request again (onEvent retried after its answer was lost): the name is taken, and the
  // tracker holding it (found through ListEventTrackers) is this stack resource's own.
  const retried = await onEvent({ ...trackerEvent, RequestId: `request-${requests}` });
  expect(retried.PhysicalResourceId).toBe(arn);
  expect(emu.calls({ operation: 'ListEventTrackers' })).toHaveLength(1);
  expect(emu.resources({ type: 'event-tracker' })).toHaveLength(1);

  // Tags change in place: the same tracker, the same tracking id.
  const retagged = { ...trackerProps, Tags: [{ Key: 'team', Value: 'search' }, { Key: 'env', Value: 'prod' }] };
  const updated = await deploy(updateEvent(TRACKER_TYPE, arn, trackerProps, retagged, { LogicalResourceId: 'Tracker' }));
  expect(updated.response.PhysicalResourceId).toBe(arn);
  expect(updated.result.Data).toEqual(created.result.Data);
  expect(await tagsOf(arn)).toEqual({ team: 'search', env: 'prod', [OWNER_TAG_KEY]: expect.any(String) });
  expect(emu.counts('personalize').CreateEventTracker).toBe(2); // the first create and the retried one

  // A rename in the same group is refused before any change; CloudFormation's rollback of that
  // refusal (back to the generated name the tracker kept) is no change.
  const renamed = { ...retagged, Name: 'renamed' };
  await expect(deploy(updateEvent(TRACKER_TYPE, arn, retagged, renamed, { LogicalResourceId: 'Tracker' })))
    .rejects.toThrow(/Cannot change Name of Personalize event tracker .*Nothing was changed/);
  const rollback = await deploy(updateEvent(TRACKER_TYPE, arn, renamed, retagged, { LogicalResourceId: 'Tracker' }));
  expect(rollback.response.PhysicalResourceId).toBe(arn);
  expect(rollback.result.Data).toEqual(created.result.Data);
  expect(emu.counts('personalize').CreateEventTracker).toBe(2);

  // Deleting the group first is refused while it holds the tracker; the wait ends at its bound
  // with the service's reason, and the group is left as it was.
  const groupDelete = { ...deleteEvent(GROUP_TYPE, groupArn, { WaitTimeoutSeconds: '60' }), LogicalResourceId: 'Retail' };
  const refused = await onEvent(groupDelete);
  expect(emu.calls({ operation: 'DeleteDatasetGroup' }).map((c) => c.error)).toEqual(['ResourceInUseException']);
  await expect(isComplete(completeEvent(groupDelete, { ...refused, WaitStartedAt: Date.now() - 61_000 })))
    .rejects.toThrow(/Timed out after 60 seconds waiting for Personalize dataset group .* to be deleted; last status: ACTIVE: ResourceInUseException: .*still has an event tracker/);
  expect(emu.resource(groupArn)!.status).toBe('ACTIVE');

  // The tracker first, then the group.
  await deploy(deleteEvent(TRACKER_TYPE, arn, trackerProps));
  expect(emu.resource(arn)!.history.map((h) => h.status)).toEqual(
    ['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE', 'DELETE PENDING', 'DELETE IN_PROGRESS', 'DELETED']);
  await deploy({ ...deleteEvent(GROUP_TYPE, groupArn), LogicalResourceId: 'Retail' });
  expect(emu.resource(groupArn)!.status).toBe('DELETED');
}, 60_000);

test('a second tracker in the group fails with the service\'s reason; a failed create fails with none', async () => {
  const groupArn = (await deploy(createEvent(GROUP_TYPE, {}, { LogicalResourceId: 'Retail' }))).response.PhysicalResourceId;
  await deploy(createEvent(TRACKER_TYPE, { DatasetGroupArn: groupArn, Name: 'clicks' }, { LogicalResourceId: 'Clicks' }));

  await expect(deploy(createEvent(TRACKER_TYPE, { DatasetGroupArn: groupArn, Name: 'views' }, { LogicalResourceId: 'Views' })))
    .rejects.toThrow(/Could not create Personalize event tracker "views": LimitExceededException: .*at most 1 event tracker/);
  // Names are unique in the region: the name held in another group is not adopted.
  const otherGroup = (await deploy(createEvent(GROUP_TYPE, {}, { LogicalResourceId: 'Other' }))).response.PhysicalResourceId;
  await expect(deploy(createEvent(TRACKER_TYPE, { DatasetGroupArn: otherGroup, Name: 'clicks' }, { LogicalResourceId: 'Clicks2' })))
    .rejects.toThrow(/"clicks": ResourceAlreadyExistsException: .*not created by this stack resource/);

  emu.faults.add({ kind: 'fail', operation: 'CreateEventTracker', times: 1 });
  await expect(deploy(createEvent(TRACKER_TYPE, { DatasetGroupArn: otherGroup }, { LogicalResourceId: 'Doomed' })))
    .rejects.toThrow(/Personalize event tracker .* is CREATE FAILED: the service gave no reason/);
  expect(emu.resources({ type: 'event-tracker' }).map((r) => r.status)).toEqual(['ACTIVE', 'CREATE FAILED']);
}, 60_000);
