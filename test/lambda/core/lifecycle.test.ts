import type { Capabilities, Observation, Progress, ResourceAdapter } from '../../../lambda/core/adapter';
import { classifyError, describeError } from '../../../lambda/core/errors';
import { changedProperties, createHandlers, LifecycleOptions } from '../../../lambda/core/lifecycle';
import { contextOf, generatePhysicalName, ownerTagValue } from '../../../lambda/core/naming';
import { EVALUATION_DATASET_NAME_RULE, OWNER_TAG_KEY } from '../../../src/contract';
import { completeEvent, createEvent, deleteEvent, serviceError, updateEvent } from '../fixtures';

// The core is tested through a resource type of the contract (its name property is `Name`); the
// adapter's calls are jest mocks, so that what is tested is the core's decisions.
const TYPE = 'Custom::PersonalizeDatasetGroup';
const NOW = 1_000_000;
const OWNER = ownerTagValue(contextOf(createEvent(TYPE, {})));

type FakeOverrides = Partial<Omit<ResourceAdapter<'DatasetGroup'>, 'capabilities'>> & { capabilities?: Partial<Capabilities<'DatasetGroup'>> };

function fakeAdapter(overrides: FakeOverrides = {}, options: LifecycleOptions = {}) {
  const tags: Record<string, string> = {};
  const tagging = {
    list: jest.fn(async () => ({ ...tags })),
    tag: jest.fn(async (_id: string, add: readonly { key: string; value: string }[]) => {
      add.forEach((t) => { tags[t.key] = t.value; });
    }),
    untag: jest.fn(async (_id: string, keys: readonly string[]) => {
      keys.forEach((k) => delete tags[k]);
    }),
  };
  const update = { apply: jest.fn(async (): Promise<Progress> => ({ done: true, attributes: { Version: '2' } })) };
  const adapter = {
    resource: 'DatasetGroup' as const,
    description: 'fake resource',
    isPhysicalId: (id: string) => id.startsWith('fake/'),
    attributesOf: () => ({}),
    replacedBy: jest.fn(({ changed }: { changed: readonly string[] }) => changed.filter((key) => ['Name', 'Kind'].includes(key))),
    create: jest.fn(async ({ name }: { name: string }) => `fake/${name}`),
    describe: jest.fn(async (): Promise<Observation | undefined> => ({ state: 'ready', status: 'ACTIVE' })),
    delete: jest.fn(async () => undefined),
    ...overrides,
    capabilities: { tagging, update, ...overrides.capabilities },
  };
  const logs: string[] = [];
  const handlers = createHandlers([adapter as unknown as ResourceAdapter], { log: (m) => logs.push(m), now: () => NOW, ...options });
  return { adapter, handlers, logs, tags, tagging, update };
}

const later = (event: ReturnType<typeof createEvent>, physicalId = 'fake/a', startedAt = NOW - 5_000) =>
  completeEvent(event, { PhysicalResourceId: physicalId, WaitStartedAt: startedAt });

describe('create', () => {
  test('creates under the fixed name with the user tags and the ownership tag, and starts the wait', async () => {
    const { adapter, handlers } = fakeAdapter();
    const response = await handlers.onEvent(createEvent(TYPE, { Name: 'x', Tags: [{ Key: 'team', Value: 'recs' }] }));
    expect(response).toEqual({ PhysicalResourceId: 'fake/x', WaitStartedAt: NOW, Action: 'create' });
    expect(adapter.create).toHaveBeenCalledWith(expect.objectContaining({
      name: 'x', tags: [{ key: 'team', value: 'recs' }, { key: OWNER_TAG_KEY, value: OWNER }],
    }));
  });

  test('a resource type without tagging gets no tags, not even the ownership tag', async () => {
    const { adapter, handlers } = fakeAdapter({ capabilities: { tagging: undefined } });
    await handlers.onEvent(createEvent(TYPE, { Name: 'x', Tags: [{ Key: 'team', Value: 'recs' }] }));
    expect(adapter.create).toHaveBeenCalledWith(expect.objectContaining({ tags: [] }));
  });

  test('a taken name with no way to find its holder fails without adopting anything', async () => {
    const { handlers } = fakeAdapter({ create: jest.fn().mockRejectedValue(serviceError('ResourceAlreadyExistsException', 'taken')) });
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' })))
      .rejects.toThrow('Could not create fake resource "x": ResourceAlreadyExistsException: taken');
  });

  test('a holder that cannot be found is not adopted', async () => {
    const { handlers } = fakeAdapter({
      create: jest.fn().mockRejectedValue(serviceError('ConflictException', 'taken')),
      classifyError: (e: any) => (e.name === 'ConflictException' ? 'already-exists' : undefined),
      capabilities: { adoption: { findExisting: jest.fn(async () => undefined) } },
    });
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' }))).rejects.toThrow(/not created by this stack resource/);
  });

  test('a holder with this stack resource\'s ownership tag is adopted (a retried create); another one is not', async () => {
    const taken = serviceError('ResourceAlreadyExistsException', 'taken');
    const adoption = { findExisting: jest.fn(async () => ({ physicalId: 'fake/x' })) };
    const { handlers, tags } = fakeAdapter({ create: jest.fn().mockRejectedValue(taken), capabilities: { adoption } });
    tags[OWNER_TAG_KEY] = 'someone else';
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' }))).rejects.toThrow(/left untouched/);
    tags[OWNER_TAG_KEY] = OWNER;
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' }))).resolves.toMatchObject({ PhysicalResourceId: 'fake/x' });
  });

  test('an adapter\'s own proof of ownership decides for a resource type without tags, with its own words', async () => {
    const adoption = { findExisting: jest.fn(async () => ({ physicalId: 'fake/x', owned: false })), refusal: 'It cannot be shown to be ours.' };
    const { handlers } = fakeAdapter({
      create: jest.fn().mockRejectedValue(serviceError('ResourceAlreadyExistsException', 'taken')),
      capabilities: { adoption, tagging: undefined },
    });
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' }))).rejects.toThrow('ResourceAlreadyExistsException: taken. It cannot be shown to be ours.');
  });

  test('a create refused for now (in use) is deferred to isComplete under the id the adapter predicts, then tried again', async () => {
    const create = jest.fn()
      .mockRejectedValueOnce(serviceError('ResourceInUseException', 'a job runs'))
      .mockRejectedValueOnce(serviceError('ResourceInUseException', 'a job runs'))
      .mockResolvedValueOnce('fake/x');
    const describe = jest.fn()
      .mockRejectedValueOnce(serviceError('ResourceNotFoundException', 'no'))
      .mockRejectedValueOnce(serviceError('ResourceNotFoundException', 'no'))
      .mockResolvedValue({ state: 'ready', status: 'ACTIVE' });
    const { handlers } = fakeAdapter({ create, describe, capabilities: { deferredCreate: { physicalIdOf: ({ name }) => `fake/${name}` } } });
    const event = createEvent(TYPE, { Name: 'x' });
    const response = await handlers.onEvent(event);
    expect(response).toEqual({ PhysicalResourceId: 'fake/x', WaitStartedAt: NOW, Action: 'create', CreatePending: true });
    const poll = completeEvent(event, { ...response, WaitStartedAt: NOW - 5_000 });
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: false }); // still in use
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: false }); // created now
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: true, Data: {} });
    expect(create).toHaveBeenCalledTimes(3);
  });

  test('a create refused for now without a predictable id fails at once', async () => {
    const { handlers } = fakeAdapter({ create: jest.fn().mockRejectedValue(serviceError('ResourceInUseException', 'busy')) });
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' }))).rejects.toThrow('Could not create fake resource "x": ResourceInUseException: busy');
  });

  test('a property of the wrong kind fails before any call, naming it', async () => {
    const { adapter, handlers } = fakeAdapter();
    await expect(handlers.onEvent(createEvent(TYPE, { WaitTimeoutSeconds: 'soon' })))
      .rejects.toThrow('fake resource (Retail1A2B3C4D): WaitTimeoutSeconds must be a number, not "soon"');
    expect(adapter.create).not.toHaveBeenCalled();
  });
});

describe('update', () => {
  test('a change the adapter does not replace is checked in onEvent and applied by isComplete once ready', async () => {
    const check = jest.fn(async () => undefined);
    const { adapter, handlers, update } = fakeAdapter();
    (update as { check?: typeof check }).check = check;
    const event = updateEvent(TYPE, 'fake/a', { Description: 'old' }, { Description: 'new' });
    const response = await handlers.onEvent(event);
    expect(response).toEqual({ PhysicalResourceId: 'fake/a', WaitStartedAt: NOW, Action: 'update' });
    expect(check).toHaveBeenCalledWith(expect.objectContaining({ physicalId: 'fake/a', changed: ['Description'] }));
    expect(update.apply).not.toHaveBeenCalled();
    await expect(handlers.isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true, Data: { Version: '2' } });
    expect(update.apply).toHaveBeenCalledWith(expect.objectContaining({ changed: ['Description'] }), expect.objectContaining({ status: 'ACTIVE' }));
    expect(adapter.create).not.toHaveBeenCalled();
  });

  test('a refusing check fails the update before anything changes', async () => {
    const { handlers, update, tagging } = fakeAdapter();
    (update as { check?: () => Promise<void> }).check = jest.fn().mockRejectedValue(new Error('cannot'));
    await expect(handlers.onEvent(updateEvent(TYPE, 'fake/a', { Description: 'old', Tags: [] }, { Description: 'new', Tags: [{ Key: 'a', Value: 'b' }] })))
      .rejects.toThrow('cannot');
    expect(update.apply).not.toHaveBeenCalled();
    expect(tagging.tag).not.toHaveBeenCalled();
  });

  test('an in-place change still under way is not complete; an in-use refusal of it is waited out', async () => {
    const { handlers, update } = fakeAdapter();
    update.apply
      .mockResolvedValueOnce({ done: false, status: 'schema update requested' })
      .mockRejectedValueOnce(serviceError('ResourceInUseException', 'a job runs'))
      .mockResolvedValueOnce({ done: true });
    const event = updateEvent(TYPE, 'fake/a', { Description: 'old' }, { Description: 'new' });
    const poll = completeEvent(event, await handlers.onEvent(event));
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: false });
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: false });
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: true, Data: {} });
  });

  test('a replacing change creates a new resource under a new generated name', async () => {
    const { adapter, handlers } = fakeAdapter();
    const response = await handlers.onEvent(updateEvent(TYPE, 'fake/a', { Kind: 'a' }, { Kind: 'b' }));
    expect(response.PhysicalResourceId).toMatch(/^fake\/Recommendations-Retail1A2B3C4D-[0-9a-f]{12}$/);
    expect(response.Action).toBe('create');
    expect(adapter.create).toHaveBeenCalledTimes(1);
  });

  test('an adapter without in-place updates whose replacedBy left a change says so', async () => {
    const { handlers } = fakeAdapter({ capabilities: { update: undefined } });
    await expect(handlers.onEvent(updateEvent(TYPE, 'fake/a', { Description: 'old' }, { Description: 'new' })))
      .rejects.toThrow('cdk-datasets: fake resource cannot change Description in place, and its adapter did not replace it');
  });

  test('a replacement with a name that changes from fixed to generated is allowed', async () => {
    const { handlers } = fakeAdapter();
    const response = await handlers.onEvent(updateEvent(TYPE, 'fake/a', { Name: 'a' }, { Kind: 'x' }));
    expect(response.PhysicalResourceId).toMatch(/^fake\/Recommendations-/);
  });

  test('a fixed name that would need a replacement is refused before any call, unless the resource has what is asked', async () => {
    const read = jest.fn(async () => ({ Kind: 'old' }) as Record<string, unknown>);
    const { adapter, handlers } = fakeAdapter({ capabilities: { currentValues: { read } } });
    await expect(handlers.onEvent(updateEvent(TYPE, 'fake/a', { Name: 'x', Kind: 'old' }, { Name: 'x', Kind: 'new' })))
      .rejects.toThrow(/Cannot change Kind of fake resource "x" \(Retail1A2B3C4D\).*Nothing was changed/);
    // CloudFormation rolling the refusal back asks for the old value again, which the resource has.
    await expect(handlers.onEvent(updateEvent(TYPE, 'fake/a', { Name: 'x', Kind: 'new' }, { Name: 'x', Kind: 'old' })))
      .resolves.toEqual({ PhysicalResourceId: 'fake/a', WaitStartedAt: NOW, Action: 'update' });
    expect(adapter.create).not.toHaveBeenCalled();
  });

  test('tags are brought from the old set to the new one, as they are on the resource now; other tags are left alone', async () => {
    const { handlers, tags, tagging } = fakeAdapter();
    Object.assign(tags, { keep: '1', change: 'old', drop: 'x', [OWNER_TAG_KEY]: OWNER, foreign: 'y' });
    const event = updateEvent(TYPE, 'fake/a',
      { Tags: [{ Key: 'keep', Value: '1' }, { Key: 'change', Value: 'old' }, { Key: 'drop', Value: 'x' }] },
      { Tags: [{ Key: 'keep', Value: '1' }, { Key: 'change', Value: 'new' }, { Key: 'add', Value: '2' }] });
    const poll = completeEvent(event, await handlers.onEvent(event));
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: true, Data: {} });
    expect(tags).toEqual({ keep: '1', change: 'new', add: '2', [OWNER_TAG_KEY]: OWNER, foreign: 'y' });
    // Asked again (a retried poll), nothing is left to change.
    await handlers.isComplete(poll);
    expect(tagging.tag).toHaveBeenCalledTimes(1);
    expect(tagging.untag).toHaveBeenCalledTimes(1);
  });

  test('unchanged tags cost no tag call', async () => {
    const { handlers, tagging } = fakeAdapter();
    const tagsProperty = { Tags: [{ Key: 'a', Value: '1' }] };
    const event = updateEvent(TYPE, 'fake/a', { ...tagsProperty, WaitTimeoutSeconds: '60' }, { ...tagsProperty, WaitTimeoutSeconds: '120' });
    await expect(handlers.isComplete(completeEvent(event, await handlers.onEvent(event)))).resolves.toEqual({ IsComplete: true, Data: {} });
    expect(tagging.list).not.toHaveBeenCalled();
  });

  test('a tag call refused for now (in use) is waited out', async () => {
    const { handlers, tagging } = fakeAdapter();
    tagging.tag.mockRejectedValueOnce(serviceError('ResourceInUseException', 'busy'));
    const event = updateEvent(TYPE, 'fake/a', {}, { Tags: [{ Key: 'a', Value: '1' }] });
    const poll = completeEvent(event, await handlers.onEvent(event));
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: false });
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: true, Data: {} });
  });
});

describe('isComplete', () => {
  test('waits while in progress; fails with the reason, or says none was given', async () => {
    const describe = jest.fn()
      .mockResolvedValueOnce({ state: 'in-progress', status: 'CREATING' })
      .mockResolvedValueOnce({ state: 'failed', status: 'CREATE FAILED', failureReason: 'bad key' })
      .mockResolvedValueOnce({ state: 'failed', status: 'UPDATE_FAILED' });
    const { handlers } = fakeAdapter({ describe });
    const event = later(createEvent(TYPE, {}));
    await expect(handlers.isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(handlers.isComplete(event)).rejects.toThrow('fake resource fake/a is CREATE FAILED: bad key');
    await expect(handlers.isComplete(event)).rejects.toThrow('fake resource fake/a is UPDATE_FAILED: the service gave no reason');
  });

  test('a resource not visible yet after its create is waited for', async () => {
    const { adapter, handlers } = fakeAdapter({ describe: jest.fn().mockRejectedValue(serviceError('ResourceNotFoundException', 'no')) });
    await expect(handlers.isComplete(later(createEvent(TYPE, {})))).resolves.toEqual({ IsComplete: false });
    expect(adapter.describe).toHaveBeenCalledTimes(1);
  });

  test('an unexpected error while reading the status fails with the service\'s words', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn().mockRejectedValue(serviceError('AccessDeniedException', 'no')) });
    await expect(handlers.isComplete(later(createEvent(TYPE, {}))))
      .rejects.toThrow('Could not read the status of fake resource fake/a: AccessDeniedException: no');
  });

  test.each([
    ['throttling', serviceError('ThrottlingException', 'slow down')],
    ['Personalize\'s request-rate limit', serviceError('LimitExceededException', 'The limit on the number of requests per second has been exceeded')],
    ['a server error', serviceError('InternalFailure', 'oops', 500)],
    ['a request timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['the invocation running out of time', Object.assign(new Error('out of time'), { name: 'OutOfTimeError' })],
  ])('%s while reading the status is "not yet"', async (_what, error) => {
    const { handlers } = fakeAdapter({ describe: jest.fn().mockRejectedValue(error) });
    await expect(handlers.isComplete(later(createEvent(TYPE, {})))).resolves.toEqual({ IsComplete: false });
  });

  test('the resource\'s own wait bound fails the wait with the last status', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn(async () => ({ state: 'in-progress' as const, status: 'CREATE PENDING' })) });
    await expect(handlers.isComplete(later(createEvent(TYPE, { WaitTimeoutSeconds: '60' }), 'fake/a', NOW - 61_000)))
      .rejects.toThrow('Timed out after 60 seconds waiting for fake resource fake/a to become ACTIVE; last status: CREATE PENDING. ' +
        'Raise the construct\'s waitTimeout (at most 1 hour) if the service needs longer.');
  });

  test('without WaitStartedAt (a caller that drops extra keys) the wait has no handler-side bound', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn(async () => ({ state: 'in-progress' as const, status: 'CREATING' })) });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, { WaitTimeoutSeconds: '1' }), { PhysicalResourceId: 'fake/a' })))
      .resolves.toEqual({ IsComplete: false });
  });

  test('the poll straight after a create makes no status call; the next one does', async () => {
    const { adapter, handlers } = fakeAdapter();
    const event = createEvent(TYPE, {});
    await expect(handlers.isComplete(later(event, 'fake/a', NOW - 200))).resolves.toEqual({ IsComplete: false });
    expect(adapter.describe).not.toHaveBeenCalled();
    await expect(handlers.isComplete(later(event, 'fake/a', NOW - 1000))).resolves.toEqual({ IsComplete: true, Data: {} });
    expect(adapter.describe).toHaveBeenCalledTimes(1);
  });

  test('a resource ready on create (no status to wait for) is checked on the first poll', async () => {
    const { adapter, handlers } = fakeAdapter({ capabilities: { readyOnCreate: true } });
    await expect(handlers.isComplete(later(createEvent(TYPE, {}), 'fake/a', NOW))).resolves.toEqual({ IsComplete: true, Data: {} });
    expect(adapter.describe).toHaveBeenCalledTimes(1);
  });

  test('a long wait asks the service only when a status call is due; the other polls answer "not yet" without a call', async () => {
    let now = NOW;
    const describe = jest.fn(async () => ({ state: 'in-progress' as const, status: 'CREATE IN_PROGRESS' }));
    const { handlers } = fakeAdapter({ describe }, { now: () => now });
    const event = later(createEvent(TYPE, {}), 'fake/a', NOW);
    // Ten minutes of polls a second apart.
    for (let second = 1; second <= 600; second++) {
      now = NOW + second * 1000;
      await expect(handlers.isComplete(event)).resolves.toEqual({ IsComplete: false });
    }
    // Every second for the first two minutes, then a tenth of the wait's age apart.
    const calls = describe.mock.calls.length;
    expect(calls).toBeGreaterThan(120);
    expect(calls).toBeLessThan(140);
  });

  test('after a throttled status call the next one waits longer', async () => {
    let now = NOW;
    const describe = jest.fn().mockRejectedValueOnce(serviceError('ThrottlingException', 'slow down'))
      .mockResolvedValue({ state: 'in-progress', status: 'CREATING' });
    const { handlers } = fakeAdapter({ describe }, { now: () => now, random: () => 0 });
    const event = later(createEvent(TYPE, {}), 'fake/a', NOW);
    now = NOW + 5_000;
    await handlers.isComplete(event);
    now += 500;
    await handlers.isComplete(event);
    expect(describe).toHaveBeenCalledTimes(1); // held back 1 s after the throttle
    now += 600;
    await handlers.isComplete(event);
    expect(describe).toHaveBeenCalledTimes(2);
  });
});

describe('follow-up', () => {
  test('runs once ready, and completes with its attributes merged over the observation\'s', async () => {
    const run = jest.fn(async (): Promise<Progress> => ({ done: true, attributes: { Version: '3' } }));
    const { handlers } = fakeAdapter({
      capabilities: { followUp: { run } },
      describe: jest.fn(async () => ({ state: 'ready' as const, status: 'ACTIVE', attributes: { Arn: 'fake/a', Version: '1' } })),
    });
    const event = updateEvent(TYPE, 'fake/a', { Description: 'a' }, { Description: 'b' });
    const result = await handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: NOW, Action: 'update' }));
    expect(result).toEqual({ IsComplete: true, Data: { Arn: 'fake/a', Version: '3' } });
    expect(run).toHaveBeenCalledWith(expect.objectContaining({
      requestType: 'Update',
      physicalId: 'fake/a',
      properties: expect.objectContaining({ Description: 'b' }),
      oldProperties: expect.objectContaining({ Description: 'a' }),
      waitStartedAt: NOW,
    }));
  });

  test('work still to do is not complete', async () => {
    const run = jest.fn(async () => ({ done: false as const, status: 'batch 1 of 3' }));
    const { handlers } = fakeAdapter({ capabilities: { followUp: { run } } });
    await expect(handlers.isComplete(later(createEvent(TYPE, {})))).resolves.toEqual({ IsComplete: false });
    expect(run).toHaveBeenCalledTimes(1);
  });

  test('throttling inside the follow-up waits; the bound still applies', async () => {
    const run = jest.fn().mockRejectedValue(serviceError('ThrottlingException', 'slow down'));
    const { handlers } = fakeAdapter({ capabilities: { followUp: { run } } });
    const event = createEvent(TYPE, { WaitTimeoutSeconds: '10' });
    await expect(handlers.isComplete(later(event))).resolves.toEqual({ IsComplete: false });
    await expect(handlers.isComplete(later(event, 'fake/a', NOW - 11_000)))
      .rejects.toThrow(/Timed out after 10 seconds .*last status: ACTIVE, follow-up must wait \(ThrottlingException: slow down\)/);
  });

  test('any other error inside the follow-up fails with the service\'s reason', async () => {
    const { handlers } = fakeAdapter({ capabilities: { followUp: { run: jest.fn().mockRejectedValue(serviceError('ValidationException', 'bad example')) } } });
    await expect(handlers.isComplete(later(createEvent(TYPE, {}))))
      .rejects.toThrow('Could not finish the follow-up of fake resource fake/a: ValidationException: bad example');
  });
});

describe('delete', () => {
  test('deletes, then completes once gone; gone already counts as deleted', async () => {
    const describe = jest.fn().mockResolvedValueOnce({ state: 'deleting', status: 'DELETING' })
      .mockRejectedValue(serviceError('ResourceNotFoundException', 'gone'));
    const { adapter, handlers } = fakeAdapter({ describe });
    const event = deleteEvent(TYPE, 'fake/a');
    await expect(handlers.onEvent(event)).resolves.toEqual({ PhysicalResourceId: 'fake/a', WaitStartedAt: NOW, Action: 'delete' });
    expect(adapter.delete).toHaveBeenCalledWith('fake/a', expect.anything());
    const poll = completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: NOW });
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: false });
    await expect(handlers.isComplete(poll)).resolves.toEqual({ IsComplete: true });
  });

  test('a DELETE FAILED resource is deleted again', async () => {
    const { adapter, handlers } = fakeAdapter({
      describe: jest.fn(async () => ({ state: 'delete-failed' as const, status: 'DELETE_FAILED', failureReason: 'internal' })),
    });
    await expect(handlers.isComplete(completeEvent(deleteEvent(TYPE, 'fake/a'), { PhysicalResourceId: 'fake/a', WaitStartedAt: NOW })))
      .resolves.toEqual({ IsComplete: false });
    expect(adapter.delete).toHaveBeenCalledWith('fake/a', expect.anything());
  });

  test('a not-ready conflict on delete is waited for, and asked again with a growing interval', async () => {
    let now = NOW;
    const { adapter, handlers, logs } = fakeAdapter({
      delete: jest.fn().mockRejectedValue(serviceError('ConflictException', 'DATASET_NOT_READY')),
      classifyError: (e: any) => (e.name === 'ConflictException' ? 'not-ready' : undefined),
    }, { now: () => now });
    await expect(handlers.onEvent(deleteEvent(TYPE, 'fake/a'))).resolves.toEqual({ PhysicalResourceId: 'fake/a', WaitStartedAt: NOW, Action: 'delete' });
    expect(logs).toContain('delete must wait');
    const poll = completeEvent(deleteEvent(TYPE, 'fake/a'), { PhysicalResourceId: 'fake/a', WaitStartedAt: NOW });
    now += 1_000;
    await handlers.isComplete(poll); // 1 s: the 2 s backoff holds
    now += 1_500;
    await handlers.isComplete(poll); // 2.5 s: asked again
    expect(adapter.delete).toHaveBeenCalledTimes(2);
  });

  test('a throttled describe while deleting waits', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn().mockRejectedValue(serviceError('TooManyRequestsException', 'slow', 429)) });
    await expect(handlers.isComplete(completeEvent(deleteEvent(TYPE, 'fake/a'), { PhysicalResourceId: 'fake/a', WaitStartedAt: NOW })))
      .resolves.toEqual({ IsComplete: false });
  });

  test('a physical id that never became one of the type\'s ids (a failed create) needs no call', async () => {
    const { adapter, handlers } = fakeAdapter();
    await expect(handlers.onEvent(deleteEvent(TYPE, 'c0ffee00-1111'))).resolves.toEqual({ PhysicalResourceId: 'c0ffee00-1111' });
    await expect(handlers.isComplete(completeEvent(deleteEvent(TYPE, 'c0ffee00-1111'), { PhysicalResourceId: 'c0ffee00-1111' })))
      .resolves.toEqual({ IsComplete: true });
    expect(adapter.delete).not.toHaveBeenCalled();
    expect(adapter.describe).not.toHaveBeenCalled();
  });

  test('an unexpected delete error fails with the service\'s reason', async () => {
    const { handlers } = fakeAdapter({ delete: jest.fn().mockRejectedValue(serviceError('AccessDeniedException', 'not allowed')) });
    await expect(handlers.onEvent(deleteEvent(TYPE, 'fake/a'))).rejects.toThrow('Could not delete fake resource fake/a: AccessDeniedException: not allowed');
  });
});

test('a resource type the handler does not manage is an error that names it', async () => {
  const { handlers } = fakeAdapter();
  await expect(handlers.onEvent(createEvent('Custom::Unknown', {}))).rejects.toThrow('cdk-datasets: this handler does not manage resources of type Custom::Unknown');
});

describe('errors', () => {
  // Named by the error's name (or its code): jest prints errors with their stacks otherwise.
  const named = (e: unknown) => (e instanceof Error ? `${e.name}${(e as { code?: string }).code ? ` (${(e as { code?: string }).code})` : ''}` : String(e));
  test.each([
    [serviceError('ResourceNotFoundException', ''), 'not-found'],
    [serviceError('ResourceAlreadyExistsException', ''), 'already-exists'],
    [serviceError('ResourceInUseException', ''), 'in-use'],
    [serviceError('ThrottlingException', ''), 'throttled'],
    [serviceError('LimitExceededException', 'The limit on the number of requests per second has been exceeded'), 'throttled'],
    [Object.assign(new Error('x'), { name: 'Whatever', $retryable: { throttling: true } }), 'throttled'],
    [serviceError('TooManyRequestsException', '', 429), 'throttled'],
    [serviceError('InternalFailure', '', 503), 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    [Object.assign(new Error('t'), { name: 'TimeoutError' }), 'transient'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'transient'],
    [Object.assign(new Error('budget'), { name: 'OutOfTimeError' }), 'transient'],
    [serviceError('InvalidInputException', ''), 'fatal'],
    [undefined, 'fatal'],
  ].map(([error, kind]) => [named(error), error, kind] as const))('%s is %s', (_name, error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });

  test('describeError names the error once', () => {
    expect(describeError(serviceError('InvalidInputException', 'bad'))).toBe('InvalidInputException: bad');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError(serviceError('X', 'X: already named'))).toBe('X: already named');
  });
});

test('changedProperties ignores operational properties and key order', () => {
  expect(changedProperties(
    { ServiceToken: 'a', ServiceTimeout: '1', Tags: [1], WaitTimeoutSeconds: '1', Obj: { a: 1, b: 2 }, Same: 's', Gone: 'g' },
    { ServiceToken: 'b', ServiceTimeout: '2', Tags: [2], WaitTimeoutSeconds: '2', Obj: { b: 2, a: 1 }, Same: 's', New: 'n' },
  )).toEqual(['Gone', 'New']);
});

test('generated names start with a letter and can be lower case', () => {
  const context = { ...contextOf(createEvent(TYPE, {})), stackName: '', logicalResourceId: '9Lives' };
  expect(generatePhysicalName(context, EVALUATION_DATASET_NAME_RULE)).toMatch(/^r9lives_[0-9a-f]{12}$/);
});
