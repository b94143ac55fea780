/**
 * The rehearsal driver against small synthesized stacks whose Provider handlers are a fixture bundle
 * backed by an in-memory fake service (test/fixtures/driver/).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CREATE_FAILED_MARKER, Driver, DriverOptions, ProgressEvent, RequestRecord } from '../../rehearsal/driver';
import { resolve, ResolveContext, toCfnStrings } from '../../rehearsal/driver/intrinsics';
import { service } from '../fixtures/driver/fake-service';
import { FAKE_SERVICE_MODULE, rehearsalStack, scenarioStacks } from '../fixtures/driver/stacks';

/** 10 s of simulated waiting takes 20 ms. */
const TIME_SCALE = 0.002;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let outdir: string;
let v1: CloudAssembly; // Rehearsal version 1 and the scenario stacks
let v1Stack: Stack; // Rehearsal version 1, as a CDK Stack
let v2: CloudAssembly; // Rehearsal version 2

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'driver-test-'));
  const app1 = new App({ outdir: path.join(outdir, 'v1') });
  v1Stack = rehearsalStack(app1, 1);
  scenarioStacks(app1);
  v1 = app1.synth();
  const app2 = new App({ outdir: path.join(outdir, 'v2') });
  rehearsalStack(app2, 2);
  v2 = app2.synth();
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

beforeEach(() => service.reset());

function newDriver(options: DriverOptions = {}): Driver {
  // In this process: the fixture handler and the test share the fake service's memory.
  return new Driver({ env: { DRIVER_FAKE_SERVICE_MODULE: FAKE_SERVICE_MODULE }, timeScale: TIME_SCALE, isolation: 'in-process', ...options });
}

/** Index of the first event of an operation for a resource with a status. */
function eventIndex(driver: Driver, logicalId: string, status: string, operation?: string): number {
  const index = driver.record.events.findIndex((e) => e.logicalId === logicalId && e.status === status && (!operation || e.operation === operation));
  if (index < 0) throw new Error(`no ${status} event for ${logicalId}`);
  return index;
}

function requests(driver: Driver, logicalId: string, requestType: string): RequestRecord[] {
  return driver.record.requests.filter((r) => r.request.LogicalResourceId === logicalId && r.request.RequestType === requestType);
}

function received(logicalId: string, handler: 'onEvent' | 'isComplete', requestType = 'Create'): Array<Record<string, any>> {
  return service.received
    .filter((r) => r.handler === handler && r.event.LogicalResourceId === logicalId && r.event.RequestType === requestType)
    .map((r) => r.event);
}

test('describe reads each Provider as synthesized: handlers, code asset and waiter retry policy', () => {
  const driver = newDriver();
  const first = driver.describe(v1, 'Rehearsal').find((c) => c.logicalId === 'First')!;
  expect(first.resourceType).toBe('Custom::Thing');
  expect(first.provider).toMatchObject({
    onEvent: { handler: 'index.onEvent', runtime: 'nodejs24.x', timeoutSeconds: 10 },
    isComplete: { handler: 'index.isComplete' },
    waiter: { intervalSeconds: 10, maxAttempts: 6, backoffRate: 1, totalTimeoutSeconds: 60 },
  });
  const code = first.provider!.onEvent.codeDirectory;
  expect(code.startsWith(v1.directory)).toBe(true);
  expect(fs.readFileSync(path.join(code, 'index.js'), 'utf8')).toContain('DRIVER_FAKE_SERVICE_MODULE');

  const [echo] = driver.describe(v1, 'Bare');
  expect(echo.provider?.onEvent.handler).toBe('index.onEvent');
  expect(echo.provider?.isComplete).toBeUndefined();
  expect(echo.provider?.waiter).toBeUndefined();
});

test('creates in dependency order, resolving Ref, Fn::GetAtt, Fn::Join and Fn::Sub between custom resources', async () => {
  const progress: ProgressEvent[] = [];
  const driver = newDriver({ onProgress: (e) => progress.push(e) });
  const result = await driver.deploy(v1, 'Rehearsal');

  expect(result).toMatchObject({ operation: 'deploy', status: 'CREATE_COMPLETE', ok: true, failure: undefined });
  // Second refers to First, so it waits for it; Kept and Gone do not.
  expect(eventIndex(driver, 'First', 'CREATE_COMPLETE')).toBeLessThan(eventIndex(driver, 'Second', 'CREATE_IN_PROGRESS'));
  expect(eventIndex(driver, 'Kept', 'CREATE_COMPLETE')).toBeLessThan(eventIndex(driver, 'First', 'CREATE_COMPLETE'));

  const first = service.byName('first');
  const [secondCreate] = received('Second', 'onEvent');
  expect(secondCreate.ResourceProperties).toMatchObject({
    UpstreamArn: first.arn, // Fn::GetAtt of a Data attribute
    UpstreamId: first.id, // Ref: the physical id
    Label: 'first@us-east-1', // Fn::Join with AWS::Region
    Path: 'first/123456789012', // Fn::Sub with a variable and AWS::AccountId
  });
  // onEvent's Data is merged with isComplete's
  expect(driver.resources().find((r) => r.logicalId === 'First')?.attributes).toEqual({ CreatedBy: 'onEvent', Arn: first.arn, Name: 'first' });
  expect(driver.physicalIds()).toEqual({
    First: first.id, Second: service.byName('second').id, Kept: service.byName('kept').id, Gone: service.byName('gone').id,
  });
  expect(result.outputs).toEqual({ SecondArn: service.byName('second').arn });

  // Progress: what the record holds, stack first and last, in time order.
  expect(progress).toEqual(driver.record.events);
  expect(progress[0]).toMatchObject({ logicalId: 'Rehearsal', resourceType: 'AWS::CloudFormation::Stack', status: 'CREATE_IN_PROGRESS' });
  expect(progress[progress.length - 1]).toMatchObject({ logicalId: 'Rehearsal', status: 'CREATE_COMPLETE' });
  expect(progress.map((e) => e.elapsedMs)).toEqual([...progress.map((e) => e.elapsedMs)].sort((a, b) => a - b));
  expect(progress.find((e) => e.logicalId === 'First' && e.status === 'CREATE_COMPLETE')).toMatchObject({ requestType: 'Create', physicalId: first.id });
});

test('sends CloudFormation requests with every scalar property as a string, and builds the isComplete event from the onEvent result', async () => {
  const driver = newDriver();
  await driver.deploy(v1, 'Rehearsal');

  const [create] = received('First', 'onEvent');
  expect(create.ResourceProperties).toEqual({
    ServiceToken: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:Rehearsal-/),
    Name: 'first',
    Count: '3',
    Enabled: 'true',
    Ratio: '0.5',
    Tags: [{ Key: 'team', Value: '7' }],
    Nested: { Deep: ['1', 'false'] },
    PendingPolls: '3',
  });
  expect(create).toMatchObject({
    RequestType: 'Create',
    ServiceToken: create.ResourceProperties.ServiceToken,
    RequestId: expect.stringMatching(UUID),
    StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/Rehearsal\/[0-9a-f-]{36}$/),
    LogicalResourceId: 'First',
    ResourceType: 'Custom::Thing',
    ResponseURL: expect.stringMatching(/^https:\/\/cloudformation-custom-resource-response-useast1\./),
  });
  expect(create).not.toHaveProperty('PhysicalResourceId');
  expect(create).not.toHaveProperty('OldResourceProperties');

  // isComplete gets the request with every key of the onEvent result merged in.
  const [poll] = received('First', 'isComplete');
  expect(poll).toEqual({ ...create, PhysicalResourceId: service.byName('first').id, Data: { CreatedBy: 'onEvent' } });
});

test('polls isComplete at the synthesized query interval until it completes', async () => {
  const driver = newDriver();
  await driver.deploy(v1, 'Rehearsal');

  // PendingPolls 3: three "not yet", then complete, 10 s apart in simulated time.
  const polls = driver.record.calls.filter((c) => c.logicalId === 'First' && c.handler === 'isComplete');
  expect(polls.map((c) => c.attempt)).toEqual([0, 1, 2, 3]);
  expect(polls.map((c) => c.result.IsComplete)).toEqual([false, false, false, true]);
  polls.forEach((c, i) => {
    expect(c.simulatedMs).toBeGreaterThanOrEqual(i * 10_000);
    expect(c.simulatedMs).toBeLessThan(i * 10_000 + 1_000);
  });
  // The waits really happen, scaled: 10 s is 20 ms here.
  for (let i = 1; i < polls.length; i++) {
    expect(polls[i].startedMs - polls[i - 1].startedMs).toBeGreaterThanOrEqual(10_000 * TIME_SCALE - 2);
  }
  const [request] = requests(driver, 'First', 'Create');
  expect(request.simulatedMs).toBeGreaterThanOrEqual(30_000);
  // A resource that is ready at once is polled once.
  expect(driver.record.calls.filter((c) => c.logicalId === 'Kept' && c.handler === 'isComplete')).toHaveLength(1);
});

test('updates in place: an Update with the old and new properties, and the same physical id', async () => {
  const driver = newDriver();
  await driver.deploy(v1, 'Rehearsal');
  const before = driver.physicalIds();
  const oldFirst = service.byName('first');

  const result = await driver.update(v2);

  expect(result).toMatchObject({ operation: 'update', status: 'UPDATE_COMPLETE', ok: true });
  const [update] = requests(driver, 'Second', 'Update');
  expect(update.request.PhysicalResourceId).toBe(before.Second);
  expect(update.request.OldResourceProperties).toMatchObject({ Size: '1', UpstreamArn: oldFirst.arn, Label: 'first@us-east-1' });
  expect(update.request.ResourceProperties).toMatchObject({
    Size: '2', UpstreamArn: service.byName('first-renamed').arn, Label: 'first-renamed@us-east-1',
  });
  expect(update).toMatchObject({ status: 'SUCCESS', physicalId: before.Second });
  expect(driver.physicalIds().Second).toBe(before.Second);
  expect(service.things.get(before.Second)?.properties.Size).toBe('2');
  // Added is created, Gone deleted in the cleanup phase, by the handlers of its Provider (removed with it).
  expect(driver.physicalIds().Added).toBe(service.byName('added').id);
  expect(driver.physicalIds()).not.toHaveProperty('Gone');
  expect(requests(driver, 'Gone', 'Delete')[0]).toMatchObject({ handledBy: 'handlers', status: 'SUCCESS' });
  expect(service.things.has(before.Gone)).toBe(false);
  expect(driver.resources().map((r) => r.logicalId).filter((id) => id.startsWith('GoneProvider'))).toEqual([]);
  expect(eventIndex(driver, 'Rehearsal', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBeLessThan(eventIndex(driver, 'Gone', 'DELETE_IN_PROGRESS'));
  expect(result.outputs).toEqual({ SecondArn: service.byName('second').arn });
});

test('a replacement: the new physical id is kept and the old resource is deleted in the cleanup phase, after every update', async () => {
  const driver = newDriver();
  await driver.deploy(v1, 'Rehearsal');
  const before = driver.physicalIds();

  await driver.update(v2);

  const renamed = service.byName('first-renamed');
  expect(driver.physicalIds().First).toBe(renamed.id);
  const [deletion] = requests(driver, 'First', 'Delete');
  expect(deletion.request).toMatchObject({ PhysicalResourceId: before.First, ResourceProperties: { Name: 'first' } });
  expect(deletion.status).toBe('SUCCESS');
  expect(service.things.has(before.First)).toBe(false);
  const cleanupStarts = eventIndex(driver, 'Rehearsal', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  expect(eventIndex(driver, 'Second', 'UPDATE_COMPLETE', 'update')).toBeLessThan(cleanupStarts);
  expect(eventIndex(driver, 'Added', 'CREATE_COMPLETE', 'update')).toBeLessThan(cleanupStarts);
  expect(eventIndex(driver, 'First', 'DELETE_IN_PROGRESS', 'update')).toBeGreaterThan(cleanupStarts);
});

test('UpdateReplacePolicy Retain keeps the replaced resource', async () => {
  const driver = newDriver();
  await driver.deploy(v1, 'Rehearsal');
  const before = driver.physicalIds();

  await driver.update(v2.directory); // an assembly directory works as well

  expect(driver.physicalIds().Kept).toBe(service.byName('kept-v2').id);
  expect(requests(driver, 'Kept', 'Delete')).toEqual([]);
  expect(service.things.has(before.Kept)).toBe(true);
  expect(driver.record.retained).toEqual([
    { operation: 'update', logicalId: 'Kept', resourceType: 'Custom::Thing', physicalId: before.Kept, policy: 'UpdateReplacePolicy' },
  ]);
});

test('destroy deletes in reverse dependency order and leaves a DeletionPolicy Retain resource', async () => {
  const driver = newDriver();
  await driver.deploy(v1Stack); // a CDK Stack works as well
  const before = driver.physicalIds();

  const result = await driver.destroy();

  expect(result).toMatchObject({ operation: 'destroy', status: 'DELETE_COMPLETE', ok: true });
  expect(eventIndex(driver, 'Second', 'DELETE_COMPLETE')).toBeLessThan(eventIndex(driver, 'First', 'DELETE_IN_PROGRESS'));
  expect(requests(driver, 'First', 'Delete')[0].request).toMatchObject({ PhysicalResourceId: before.First, ResourceProperties: { Name: 'first' } });
  expect(requests(driver, 'Kept', 'Delete')).toEqual([]);
  expect(driver.record.events[eventIndex(driver, 'Kept', 'DELETE_SKIPPED')].reason).toBe('DeletionPolicy: Retain');
  expect(driver.record.retained).toEqual([
    { operation: 'destroy', logicalId: 'Kept', resourceType: 'Custom::Thing', physicalId: before.Kept, policy: 'DeletionPolicy' },
  ]);
  expect(service.names()).toEqual(['kept']);
  expect(driver.resources()).toEqual([]);
  expect(driver.status).toBe('DELETE_COMPLETE');
});

test('a failed create rolls the stack back; the failed resource\'s Delete carries the framework marker', async () => {
  service.faults.push({ op: 'create', name: 'second', message: 'second refused' });
  const driver = newDriver();

  const result = await driver.deploy(v1, 'Rehearsal');

  expect(result).toMatchObject({
    status: 'ROLLBACK_COMPLETE', ok: false, failure: { logicalId: 'Second', status: 'CREATE_FAILED', physicalId: CREATE_FAILED_MARKER },
  });
  // The framework's reason: the handler's message, where its logs are, then the stack trace.
  expect(result.failure?.reason).toMatch(/^second refused\n\nLogs: \/aws\/lambda\/Rehearsal-ProviderOnEvent\w*-\w+\n\n\s+at /);
  const [deletion] = requests(driver, 'Second', 'Delete');
  expect(deletion).toMatchObject({ handledBy: 'framework', status: 'SUCCESS', request: { PhysicalResourceId: CREATE_FAILED_MARKER } });
  expect(driver.record.calls.filter((c) => c.logicalId === 'Second' && c.requestType === 'Delete')).toEqual([]);
  // First and Gone were created and are deleted (after Second); Kept is retained even on a failed create.
  expect(requests(driver, 'First', 'Delete')[0]).toMatchObject({ handledBy: 'handlers', status: 'SUCCESS' });
  expect(eventIndex(driver, 'Second', 'DELETE_COMPLETE')).toBeLessThan(eventIndex(driver, 'First', 'DELETE_IN_PROGRESS'));
  expect(service.names()).toEqual(['kept']);
  expect(driver.record.retained.map((r) => [r.logicalId, r.policy])).toEqual([['Kept', 'DeletionPolicy']]);
  expect(driver.resources()).toEqual([]);
  await expect(driver.update(v2)).rejects.toThrow(/ROLLBACK_COMPLETE/);
});

test('a failed update rolls back: updates reverted with the old properties, new resources deleted', async () => {
  const driver = newDriver();
  await driver.deploy(v1, 'Rehearsal');
  const before = driver.physicalIds();
  const oldFirst = service.byName('first');
  service.faults.push({ op: 'update', name: 'second', message: 'second cannot grow' });

  const result = await driver.update(v2);

  expect(result).toMatchObject({ status: 'UPDATE_ROLLBACK_COMPLETE', ok: false, failure: { logicalId: 'Second', status: 'UPDATE_FAILED' } });
  expect(result.failure?.reason).toMatch(/^second cannot grow\n/);
  const [forward, back] = requests(driver, 'Second', 'Update');
  expect(forward).toMatchObject({ status: 'FAILED', request: { ResourceProperties: { Size: '2' } } });
  expect(back.status).toBe('SUCCESS');
  expect(back.request).toMatchObject({
    PhysicalResourceId: before.Second,
    ResourceProperties: { Size: '1', UpstreamArn: oldFirst.arn },
    OldResourceProperties: { Size: '2' },
  });
  expect(service.things.get(before.Second)?.properties.Size).toBe('1');
  // First's replacement and Added are deleted; Gone was never touched (no cleanup phase ran).
  expect(service.names()).not.toContain('first-renamed');
  expect(service.names()).not.toContain('added');
  expect(service.names()).toEqual(expect.arrayContaining(['first', 'second', 'kept', 'gone']));
  expect(driver.physicalIds()).toEqual(before);
  expect(driver.status).toBe('UPDATE_ROLLBACK_COMPLETE');
});

test('a retried onEvent invocation carries the same RequestId and event', async () => {
  const driver = newDriver({ retryOnEvent: (r) => (r.LogicalResourceId === 'First' && r.RequestType === 'Create' ? 1 : 0) });

  const result = await driver.deploy(v1, 'Rehearsal');

  expect(result.status).toBe('CREATE_COMPLETE');
  const invocations = driver.record.calls.filter((c) => c.logicalId === 'First' && c.handler === 'onEvent');
  expect(invocations.map((c) => c.attempt)).toEqual([0, 1]);
  expect(invocations[1].requestId).toBe(invocations[0].requestId);
  expect(invocations[1].event).toEqual(invocations[0].event);
  // The fixture creates idempotently by RequestId: two create calls, one thing, and that is what is deployed.
  expect(service.operations.filter((o) => o.op === 'create' && o.name === 'first')).toHaveLength(2);
  expect(driver.physicalIds().First).toBe(service.byName('first').id);
  expect(driver.record.calls.filter((c) => c.logicalId === 'Second' && c.handler === 'onEvent')).toHaveLength(1);
});

test('the Provider\'s total timeout fails the resource with "Operation timed out", and the rollback deletes it', async () => {
  const driver = newDriver();

  const result = await driver.deploy(v1, 'Slow');

  const slowId = service.operations.find((o) => o.op === 'poll')!.id;
  expect(result).toMatchObject({
    status: 'ROLLBACK_COMPLETE', failure: { logicalId: 'Slow', status: 'CREATE_FAILED', reason: 'Operation timed out', physicalId: slowId },
  });
  // A first try and MaxAttempts (60 s / 10 s = 6) retries.
  const polls = driver.record.calls.filter((c) => c.handler === 'isComplete' && c.requestType === 'Create');
  expect(polls).toHaveLength(7);
  expect(polls[6].simulatedMs).toBeGreaterThanOrEqual(60_000);
  // It had a physical id, so the rollback Delete reaches the handler with it.
  const [deletion] = requests(driver, 'Slow', 'Delete');
  expect(deletion).toMatchObject({ handledBy: 'handlers', status: 'SUCCESS', request: { PhysicalResourceId: slowId } });
  expect(service.things.size).toBe(0);
});

test('CloudFormation gives up at the ServiceTimeout; the Delete it sends then carries an id it made up', async () => {
  const driver = newDriver();

  const result = await driver.deploy(v1, 'Impatient');

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failure?.reason).toMatch(/^CloudFormation did not receive a response from your Custom Resource/);
  // Polls at 0, 10 and 20 s; the next would come at the 30 s ServiceTimeout.
  expect(driver.record.calls.filter((c) => c.handler === 'isComplete' && c.requestType === 'Create')).toHaveLength(3);
  expect(requests(driver, 'Impatient', 'Create')[0].simulatedMs).toBe(30_000);
  const thing = service.byName('impatient');
  const [deletion] = requests(driver, 'Impatient', 'Delete');
  expect(deletion.request.PhysicalResourceId).toBe(result.failure?.physicalId);
  expect(deletion.request.PhysicalResourceId).not.toBe(thing.id);
  expect(deletion.handledBy).toBe('handlers');
  // The handler cannot know what to delete: the thing is left behind.
  expect(service.things.has(thing.id)).toBe(true);
});

test('independent resources are created concurrently', async () => {
  const driver = newDriver();

  const result = await driver.deploy(v1, 'Wide');

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(Object.keys(driver.physicalIds())).toHaveLength(8);
  expect(service.maxInFlight).toBe(8);
  const wide = driver.record.events.filter((e) => /^W\d$/.test(e.logicalId));
  const lastStart = wide.map((e) => e.status).lastIndexOf('CREATE_IN_PROGRESS');
  const firstDone = wide.map((e) => e.status).indexOf('CREATE_COMPLETE');
  expect(lastStart).toBeLessThan(firstDone);
});

test('a Provider without isComplete completes on onEvent; without a PhysicalResourceId it is the RequestId', async () => {
  const driver = newDriver();

  const result = await driver.deploy(v1, 'Bare');

  expect(result.status).toBe('CREATE_COMPLETE');
  const [create] = requests(driver, 'Echo', 'Create');
  expect(driver.physicalIds().Echo).toBe(create.request.RequestId);
  expect(create.data).toEqual({ Echo: '42' });
  expect(driver.record.calls.filter((c) => c.handler === 'isComplete')).toEqual([]);
  // The Delete handler returns nothing at all (null): still a success, with the same physical id.
  expect(await driver.destroy()).toMatchObject({ status: 'DELETE_COMPLETE' });
  expect(requests(driver, 'Echo', 'Delete')[0]).toMatchObject({ status: 'SUCCESS', physicalId: create.request.RequestId });
});

test('isComplete failing fails the resource with its message; "Data" while not complete is an error', async () => {
  service.faults.push({ op: 'poll', name: 'first', message: 'first went bad' });
  const failing = newDriver();
  const failed = await failing.deploy(v1, 'Rehearsal');
  expect(failed.failure).toMatchObject({ logicalId: 'First', status: 'CREATE_FAILED' });
  expect(failed.failure?.reason).toMatch(/^first went bad\n\nLogs: \/aws\/lambda\/Rehearsal-ProviderIsComplete/);
  // isComplete had the physical id: the rollback Delete reaches the handler with it.
  expect(requests(failing, 'First', 'Delete')[0]).toMatchObject({ handledBy: 'handlers', request: { PhysicalResourceId: failed.failure?.physicalId } });
  expect(service.names()).toEqual(['kept']);

  service.reset();
  service.faults.push({ op: 'poll', name: 'first', pendingData: { Partial: 'yes' } });
  const eager = newDriver();
  const result = await eager.deploy(v1, 'Rehearsal');
  expect(result.failure).toMatchObject({ logicalId: 'First', status: 'CREATE_FAILED' });
  expect(result.failure?.reason).toContain('"Data" is not allowed if "IsComplete" is "False"');
});

test('resolves Fn::Select, Fn::Split, Fn::If with Conditions and AWS::NoValue', () => {
  const ctx: ResolveContext = {
    pseudo: { 'AWS::Region': 'eu-west-1' },
    parameters: { Stage: 'prod' },
    mappings: {},
    imports: {},
    condition: (name) => ({ IsProd: true, IsDev: false } as Record<string, boolean>)[name],
    ref: (id) => `${id}-physical`,
    getAtt: (id, attribute) => `${id}.${attribute}`,
  };
  const resolved = resolve({
    Second: { 'Fn::Select': ['1', { 'Fn::Split': [',', 'a,b,c'] }] },
    Prod: { 'Fn::If': ['IsProd', { Ref: 'Stage' }, 'other'] },
    DevOnly: { 'Fn::If': ['IsDev', 'x', { Ref: 'AWS::NoValue' }] },
    List: ['keep', { 'Fn::If': ['IsDev', 'x', { Ref: 'AWS::NoValue' }] }],
    Sub: { 'Fn::Sub': '${Thing}/${Thing.Arn}/${AWS::Region}/${!Literal}' },
  }, ctx);
  expect(resolved).toEqual({ Second: 'b', Prod: 'prod', List: ['keep'], Sub: 'Thing-physical/Thing.Arn/eu-west-1/${Literal}' });
  expect(() => toCfnStrings({ Value: null })).toThrow("[Properties/Value] 'null' values are not allowed in templates");
});
