import { classifyError, describeError } from '../../../lambda/core/errors';
import { changedProperties, createHandlers, resetDeletionBackoff } from '../../../lambda/core/lifecycle';
import { generatePhysicalName, contextOf } from '../../../lambda/core/naming';
import { Observation, ReconcileResult, ResourceAdapter } from '../../../lambda/core/types';
import { completeEvent, createEvent, deleteEvent, serviceError, updateEvent } from '../fixtures';

const TYPE = 'Custom::Fake';

beforeEach(() => resetDeletionBackoff());

/** An adapter whose calls are jest mocks, to test the core's decisions on their own. */
function fakeAdapter(overrides: Partial<ResourceAdapter> = {}) {
  const adapter = {
    resourceType: TYPE,
    description: 'fake resource',
    nameProperty: 'Name',
    replaceOnChange: ['Name', 'Kind'],
    generateName: jest.fn(() => 'generated'),
    isPhysicalId: (id: string) => id.startsWith('fake/'),
    create: jest.fn(async ({ name }: { name: string }) => `fake/${name}`),
    describe: jest.fn(async (): Promise<Observation | undefined> => ({ state: 'ready', status: 'ACTIVE' })),
    update: jest.fn(async () => ({ Version: '2' })),
    delete: jest.fn(async () => undefined),
    listTags: jest.fn(async () => ({})),
    tagResource: jest.fn(async () => undefined),
    untagResource: jest.fn(async () => undefined),
    ...overrides,
  };
  const logs: string[] = [];
  const handlers = createHandlers([adapter as ResourceAdapter], { log: (m) => logs.push(m), now: () => 1_000_000 });
  return { adapter, handlers, logs };
}

describe('update', () => {
  test('a property outside replaceOnChange is updated in place, and the adapter\'s data is returned', async () => {
    const { adapter, handlers } = fakeAdapter();
    const response = await handlers.onEvent(updateEvent(TYPE, 'fake/a', { Description: 'old' }, { Description: 'new' }));
    expect(response).toEqual({ PhysicalResourceId: 'fake/a', Data: { Version: '2' }, WaitStartedAt: 1_000_000 });
    expect(adapter.update).toHaveBeenCalledWith(expect.objectContaining({ physicalId: 'fake/a', changed: ['Description'] }));
    expect(adapter.create).not.toHaveBeenCalled();
  });

  test('replacedBy decides instead of replaceOnChange when present', async () => {
    const replacedBy = jest.fn(() => ['Schema']);
    const { adapter, handlers } = fakeAdapter({ replacedBy });
    const response = await handlers.onEvent(updateEvent(TYPE, 'fake/a', { Schema: 'a' }, { Schema: 'b' }));
    expect(replacedBy).toHaveBeenCalledWith(expect.objectContaining({ changed: ['Schema'] }));
    expect(response.PhysicalResourceId).toBe('fake/generated');
    expect(adapter.update).not.toHaveBeenCalled();
  });

  test('an adapter that cannot update in place says which properties it was asked to change', async () => {
    const { handlers } = fakeAdapter({ update: undefined });
    await expect(handlers.onEvent(updateEvent(TYPE, 'fake/a', { Description: 'old' }, { Description: 'new' })))
      .rejects.toThrow('cdk-datasets: fake resource cannot update Description in place');
  });

  test('a replacement with a name that changes from fixed to generated is allowed', async () => {
    const { handlers } = fakeAdapter();
    const response = await handlers.onEvent(updateEvent(TYPE, 'fake/a', { Name: 'a' }, { Kind: 'x' }));
    expect(response.PhysicalResourceId).toBe('fake/generated');
  });
});

describe('create', () => {
  test('a taken name with no way to find its holder fails without adopting anything', async () => {
    const { handlers } = fakeAdapter({ create: jest.fn().mockRejectedValue(serviceError('ResourceAlreadyExistsException', 'taken')) });
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' })))
      .rejects.toThrow('Could not create fake resource "x": ResourceAlreadyExistsException: taken');
  });

  test('a holder that cannot be found is not adopted', async () => {
    const { handlers } = fakeAdapter({
      create: jest.fn().mockRejectedValue(serviceError('ConflictException', 'taken')),
      classifyError: (e: any) => (e.name === 'ConflictException' ? 'already-exists' : undefined),
      findExisting: jest.fn(async () => undefined),
    });
    await expect(handlers.onEvent(createEvent(TYPE, { Name: 'x' }))).rejects.toThrow(/not created by this stack resource/);
  });

  test('a resource not visible yet after its create is waited for', async () => {
    const { adapter, handlers } = fakeAdapter({ describe: jest.fn(async () => undefined) });
    const event = createEvent(TYPE, {});
    await expect(handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(adapter.describe).toHaveBeenCalledTimes(1);
  });

  test('UPDATE FAILED style states fail with the reason, or say none was given', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn(async () => ({ state: 'failed' as const, status: 'UPDATE_FAILED' })) });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: 'fake/a' })))
      .rejects.toThrow('fake resource fake/a is UPDATE_FAILED: the service gave no reason');
  });

  test('an unexpected error while reading the status fails with the service\'s words', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn().mockRejectedValue(serviceError('AccessDeniedException', 'no')) });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: 'fake/a' })))
      .rejects.toThrow('Could not read the status of fake resource fake/a: AccessDeniedException: no');
  });

  test('without WaitStartedAt (a caller that drops extra keys) the wait has no handler-side bound', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn(async () => ({ state: 'in-progress' as const, status: 'CREATING' })) });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, { WaitTimeoutSeconds: '1' }), { PhysicalResourceId: 'fake/a' })))
      .resolves.toEqual({ IsComplete: false });
  });

  test('the poll straight after a create makes no status call; the next one does', async () => {
    const { adapter, handlers } = fakeAdapter();
    const event = createEvent(TYPE, {});
    await expect(handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 - 200 })))
      .resolves.toEqual({ IsComplete: false });
    expect(adapter.describe).not.toHaveBeenCalled();
    await expect(handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 - 1000 })))
      .resolves.toEqual({ IsComplete: true, Data: {} });
    expect(adapter.describe).toHaveBeenCalledTimes(1);
  });

  test('a resource ready on create (no status to wait for) is checked on the first poll', async () => {
    const { adapter, handlers } = fakeAdapter({ readyOnCreate: true });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 })))
      .resolves.toEqual({ IsComplete: true, Data: {} });
    expect(adapter.describe).toHaveBeenCalledTimes(1);
  });

  test('updates and deletes are checked on the first poll', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn(async () => undefined) });
    await expect(handlers.isComplete(completeEvent(deleteEvent(TYPE, 'fake/a'), { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 })))
      .resolves.toEqual({ IsComplete: true });
    const { handlers: h2 } = fakeAdapter();
    await expect(h2.isComplete(completeEvent(updateEvent(TYPE, 'fake/a', {}, { Tags: [] }), { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 })))
      .resolves.toEqual({ IsComplete: true, Data: {} });
  });
});

describe('reconcile', () => {
  test('is called once ready, and completes with its attributes merged over the observation\'s', async () => {
    const reconcile = jest.fn(async (): Promise<ReconcileResult> => ({ done: true, attributes: { Version: '3' } }));
    const { handlers } = fakeAdapter({
      reconcile,
      describe: jest.fn(async () => ({ state: 'ready' as const, status: 'ACTIVE', attributes: { Arn: 'fake/a', Version: '1' } })),
    });
    const event = updateEvent(TYPE, 'fake/a', { Description: 'a' }, { Description: 'b' });
    const result = await handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a' }));
    expect(result).toEqual({ IsComplete: true, Data: { Arn: 'fake/a', Version: '3' } });
    expect(reconcile).toHaveBeenCalledWith(expect.objectContaining({
      requestType: 'Update',
      physicalId: 'fake/a',
      properties: expect.objectContaining({ Description: 'b' }),
      oldProperties: expect.objectContaining({ Description: 'a' }),
    }));
  });

  test('work still to do is not complete', async () => {
    const reconcile = jest.fn(async () => ({ done: false as const, status: 'batch 1 of 3' }));
    const { handlers } = fakeAdapter({ reconcile });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  test('throttling or a not-ready conflict inside reconcile waits; the bound still applies', async () => {
    const reconcile = jest.fn().mockRejectedValue(serviceError('ThrottlingException', 'slow down'));
    const { handlers } = fakeAdapter({ reconcile });
    const event = createEvent(TYPE, { WaitTimeoutSeconds: '10' });
    await expect(handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 - 5_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(reconcile).toHaveBeenCalledTimes(1);
    await expect(handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 - 11_000 })))
      .rejects.toThrow(/Timed out after 10 seconds .*last status: ACTIVE \(ThrottlingException: slow down\)/);
  });

  test('any other error inside reconcile fails with the service\'s reason', async () => {
    const { handlers } = fakeAdapter({ reconcile: jest.fn().mockRejectedValue(serviceError('ValidationException', 'bad example')) });
    await expect(handlers.isComplete(completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: 'fake/a' })))
      .rejects.toThrow('fake resource fake/a: ValidationException: bad example');
  });
});

describe('delete', () => {
  test('a DELETE FAILED resource is deleted again', async () => {
    const { adapter, handlers } = fakeAdapter({
      describe: jest.fn(async () => ({ state: 'delete-failed' as const, status: 'DELETE_FAILED', failureReason: 'internal' })),
    });
    const event = deleteEvent(TYPE, 'fake/a');
    await expect(handlers.isComplete(completeEvent(event, { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 })))
      .resolves.toEqual({ IsComplete: false });
    expect(adapter.delete).toHaveBeenCalledWith('fake/a');
  });

  test('a not-ready conflict on delete is waited for', async () => {
    const { handlers, logs } = fakeAdapter({
      delete: jest.fn().mockRejectedValue(serviceError('ConflictException', 'DATASET_NOT_READY')),
      classifyError: (e: any) => (e.name === 'ConflictException' ? 'not-ready' : undefined),
    });
    await expect(handlers.onEvent(deleteEvent(TYPE, 'fake/a'))).resolves.toEqual({ PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 });
    expect(logs).toContain('delete must wait');
  });

  test('a throttled describe while deleting waits', async () => {
    const { handlers } = fakeAdapter({ describe: jest.fn().mockRejectedValue(serviceError('TooManyRequestsException', 'slow', 429)) });
    await expect(handlers.isComplete(completeEvent(deleteEvent(TYPE, 'fake/a'), { PhysicalResourceId: 'fake/a', WaitStartedAt: 1_000_000 })))
      .resolves.toEqual({ IsComplete: false });
  });
});

describe('errors', () => {
  test.each([
    [serviceError('ResourceNotFoundException', ''), 'not-found'],
    [serviceError('ResourceAlreadyExistsException', ''), 'already-exists'],
    [serviceError('ResourceInUseException', ''), 'in-use'],
    [serviceError('ThrottlingException', ''), 'throttled'],
    [Object.assign(new Error('x'), { name: 'Whatever', $retryable: { throttling: true } }), 'throttled'],
    [serviceError('InternalFailure', '', 503), 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    [Object.assign(new Error('t'), { name: 'TimeoutError' }), 'transient'],
    [serviceError('InvalidInputException', ''), 'fatal'],
    [undefined, 'fatal'],
  ])('%s is %s', (error, kind) => {
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
    { ServiceToken: 'a', Tags: [1], WaitTimeoutSeconds: '1', Obj: { a: 1, b: 2 }, Same: 's', Gone: 'g' },
    { ServiceToken: 'b', Tags: [2], WaitTimeoutSeconds: '2', Obj: { b: 2, a: 1 }, Same: 's', New: 'n' },
  )).toEqual(['Gone', 'New']);
});

test('generated names start with a letter and can be lower case', () => {
  const context = { ...contextOf(createEvent(TYPE, {})), stackName: '', logicalResourceId: '9Lives' };
  const name = generatePhysicalName(context, { maxLength: 48, allowed: /[a-zA-Z0-9_]/, separator: '_', lowerCase: true });
  expect(name).toMatch(/^r9lives_[0-9a-f]{12}$/);
});
