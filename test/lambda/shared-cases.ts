/**
 * Cases every resource type's handler must pass in the same way, written once and registered by
 * each handler test where the case belongs (inside its own describe, in its own order): the core
 * lifecycle is shared, so its behaviour is asserted the same way for each adapter.
 */
import { ListTagsForResourceCommand, Tag, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-personalize';
import type { AwsCommand, AwsStub } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { completeEvent, createEvent, deleteEvent, Properties, serviceError, updateEvent } from './fixtures';
import type { OnEventResponse } from '../../lambda/core/lifecycle';
import { isComplete, onEvent } from '../../lambda/index';

/** An SDK command class, as aws-sdk-client-mock takes it. */
export type CommandClass = new (input: any) => AwsCommand<any, any>;

/** The resource type under test, as the shared cases need to know it. */
export interface Subject {
  /** The custom resource type. */
  readonly type: string;
  /** The physical id (ARN) of the resource the cases act on. */
  readonly arn: string;
  /** The mocked SDK client of the resource's service. */
  readonly client: AwsStub<any, any, any>;
  /** The properties of the cases' create and update requests. */
  readonly properties?: Properties;
  /** The properties of the cases' delete requests. */
  readonly deleteProperties?: Properties;
  /** The status call the handler waits with. */
  readonly describeCommand: CommandClass;
  /** The delete call (none for a resource that cannot be deleted). */
  readonly deleteCommand?: CommandClass;
  /** Answers the next status calls with these statuses, one each. */
  readonly describes?: (...statuses: string[]) => void;
}

/** A subject of `type` at `arn`, on the mocked `client`, waited for with `commands.describe`. */
export function subjectOf(type: string, arn: string, client: AwsStub<any, any, any>,
  commands: { describe: CommandClass; delete?: CommandClass },
  more: Pick<Subject, 'properties' | 'deleteProperties' | 'describes'> = {}): Subject {
  return { type, arn, client, describeCommand: commands.describe, deleteCommand: commands.delete, ...more };
}

/** onEvent's answer to a create: the new resource's ARN as physical id, its Data, and when the wait began. */
export function expectCreated(response: OnEventResponse, physicalId: string, data: object): void {
  expect(response.PhysicalResourceId).toBe(physicalId);
  expect(response.Data).toEqual(data);
  expect(typeof response.WaitStartedAt).toBe('number');
}

// ---- create ----

/** Throttling of the status call is no failure; the next poll asks again. */
export function throttledWaitIsNoFailure(subject: Subject): void {
  test('throttling while waiting is not a failure: the next poll tries again', async () => {
    subject.client.on(subject.describeCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'));
    await expect(isComplete(completeEvent(createEvent(subject.type, subject.properties ?? {}),
      { PhysicalResourceId: subject.arn, WaitStartedAt: Date.now() - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(subject.client).toHaveReceivedCommandTimes(subject.describeCommand, 1);
  });
}

/** A create still in progress at the resource's own wait bound fails with its last status. */
export function waitBoundFailsCreate(subject: Subject): void {
  test('the wait fails with the last status once the resource\'s own bound has passed', async () => {
    subject.describes!('CREATE IN_PROGRESS');
    const event = createEvent(subject.type, { ...subject.properties, WaitTimeoutSeconds: '60' });
    await expect(isComplete(completeEvent(event, { PhysicalResourceId: subject.arn, WaitStartedAt: Date.now() - 61_000 })))
      .rejects.toThrow(/Timed out after 60 seconds .* to become ACTIVE; last status: CREATE IN_PROGRESS/);
  });
}

// ---- update ----

/** A new wait bound is no change to the resource: onEvent calls nothing. */
export function waitBoundChangeCallsNothing(subject: Subject, options: {
  title?: string;
  properties?: Properties;
  /** The bound before the change, in seconds. */
  before?: string;
  /** More that must hold afterwards. */
  also?: () => void;
} = {}): void {
  const properties = options.properties ?? subject.properties;
  test(options.title ?? 'a change of the wait bound alone calls nothing', async () => {
    const response = await onEvent(updateEvent(subject.type, subject.arn,
      { ...properties, WaitTimeoutSeconds: options.before ?? '1800' }, { ...properties, WaitTimeoutSeconds: '600' }));
    expect(response.PhysicalResourceId).toBe(subject.arn);
    expect(subject.client.calls()).toHaveLength(0);
    options.also?.();
  });
}

/**
 * A change of tags alone keeps the resource; once it is ACTIVE, isComplete removes the tags that
 * went and sets the new ones (Personalize's tag calls).
 */
export function tagsChangeInPlace(subject: Subject, title: string, options: {
  /** The tags after the change (team=recs and old=x before). */
  tags: Array<{ Key: string; Value: string }>;
  /** The ownership tag the resource carries besides (it stays). */
  ownerTag?: Tag;
  /** The exact answer of isComplete; given, onEvent is also checked to call nothing. */
  completed?: object;
  /** Calls a tag change must not make. */
  notCalled: CommandClass[];
  /** Makes the status call answer ACTIVE; by default `subject.describes('ACTIVE')`. */
  active?: () => void;
}): void {
  test(title, async () => {
    const { tags, ownerTag, completed } = options;
    subject.client.on(ListTagsForResourceCommand).resolves({
      tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: 'old', tagValue: 'x' }, ...(ownerTag ? [ownerTag] : [])],
    });
    subject.client.on(UntagResourceCommand).resolves({});
    subject.client.on(TagResourceCommand).resolves({});
    (options.active ?? (() => subject.describes!('ACTIVE')))();
    const event = updateEvent(subject.type, subject.arn,
      { ...subject.properties, Tags: [{ Key: 'team', Value: 'recs' }, { Key: 'old', Value: 'x' }] },
      { ...subject.properties, Tags: tags });
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(subject.arn);
    if (completed) {
      expect(subject.client.calls()).toHaveLength(0); // onEvent changes nothing: isComplete does, once ACTIVE
      await expect(isComplete(completeEvent(event, response))).resolves.toEqual(completed);
    } else {
      await expect(isComplete(completeEvent(event, response))).resolves.toMatchObject({ IsComplete: true });
    }
    expect(subject.client).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: subject.arn, tagKeys: ['old'] });
    expect(subject.client).toHaveReceivedCommandWith(TagResourceCommand, {
      resourceArn: subject.arn, tags: tags.map((t) => ({ tagKey: t.Key, tagValue: t.Value })),
    });
    for (const command of options.notCalled) expect(subject.client).not.toHaveReceivedCommand(command);
  });
}

// ---- delete ----

/** A resource already gone is deleted, and stays so for a retried request. */
export function alreadyGoneIsDeleted(subject: Subject, title: string, gone = () => serviceError('ResourceNotFoundException', 'not found')): void {
  test(title, async () => {
    subject.client.on(subject.deleteCommand!).rejects(gone());
    subject.client.on(subject.describeCommand).rejects(gone());
    const event = deleteEvent(subject.type, subject.arn, subject.deleteProperties);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await onEvent(event);
      await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
    }
  });
}

/** The physical id of a create that failed before the service answered is no ARN: nothing to delete. */
export function failedCreateNeedsNoCall(subject: Subject): void {
  test('a physical id that never became an ARN (a failed create) needs no call', async () => {
    const event = deleteEvent(subject.type, 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', subject.deleteProperties);
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
    expect(subject.client.calls()).toHaveLength(0);
  });
}

/** A delete refused while the resource is still being created is asked again once it is ACTIVE. */
export function stillCreatingIsWaitedFor(subject: Subject, title: string, refusal: Error): void {
  test(title, async () => {
    subject.client.on(subject.deleteCommand!).rejectsOnce(refusal).resolves({});
    const event = deleteEvent(subject.type, subject.arn, subject.deleteProperties);
    const response = await onEvent(event);
    subject.describes!('CREATE IN_PROGRESS', 'ACTIVE', 'DELETE PENDING');
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(subject.client).toHaveReceivedCommandTimes(subject.deleteCommand!, 1);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(subject.client).toHaveReceivedCommandTimes(subject.deleteCommand!, 2);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
  });
}

/** An error the handler does not know fails the delete with the service's words. */
export function unexpectedDeleteErrorFails(subject: Subject, message: RegExp, httpStatusCode?: number): void {
  test('an unexpected delete error fails with the service\'s reason', async () => {
    subject.client.on(subject.deleteCommand!).rejects(serviceError('AccessDeniedException', 'not allowed', httpStatusCode));
    await expect(onEvent(deleteEvent(subject.type, subject.arn))).rejects.toThrow(message);
  });
}

/** A request for a type the handler does not manage names the types it does. */
export function unmanagedTypeIsRefused(message: RegExp,
  title = 'a resource type the handler does not manage is an error that says which it manages'): void {
  test(title, async () => {
    await expect(onEvent(createEvent('Custom::Other', {}))).rejects.toThrow(message);
  });
}
