/**
 * The scenarios: for every construct, the lifecycle a stack puts it through (deploy, update in
 * place, update with a replacement, destroy, destroy with RETAIN, a retried create), each fault the
 * emulator can inject that applies to it, and the rollback of a stack whose second resource fails.
 * The harness runs the checker after each one (no leak, no duplicate, nothing retained deleted).
 *
 * Scenarios throw on the first thing that is not as the behaviour contract says (node's assert),
 * so they run the same under jest and under `npm run rehearse -- --scenarios`.
 */
import { strict as assert } from 'assert';
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as p from '@aws-sdk/client-personalize';
import { ConstructName, DEFAULT_TIME_SCALE, Scenario, ScenarioContext, sleep } from './harness';
import { FIXED_NAMES, TRACKING_ID_VARIABLE, WAIT_BOUND } from './stacks';
import { RESOURCES } from '../../src/contract';
import { DeployedResource, Driver, OperationResult } from '../driver';
import { CallRecord, FaultSpec, ResourceInfo, ServiceName } from '../emulator';

/** How a construct meets the scenarios: its resource, its service operations, its stacks. */
interface Subject {
  readonly construct: ConstructName;
  readonly resourceType: string;
  /** Its type in the emulator's inspection API. */
  readonly emulatorType: string;
  readonly service: ServiceName;
  readonly operations: { readonly create: string; readonly describe: string; readonly delete: string };
  /** The Data attributes its handler returns. */
  readonly attributes: readonly string[];
  /** Stack variant ids (see stacks.ts). */
  readonly stacks: {
    readonly v1: string;
    /** Changes the resource in place. */
    readonly inPlace?: string;
    /** Changes something that replaces it (its name is generated). */
    readonly replace: string;
    readonly fixed: string;
    readonly fixedReplace: string;
    readonly retain: string;
    /** A short wait bound (WAIT_BOUND). */
    readonly waitBound?: string;
    /** First and Second, Second depending on First. */
    readonly pair: string;
  };
  readonly fixedName: string;
  /** The resource goes through statuses (CREATE PENDING...): `fail`, `slow` and `stuck-delete` apply. */
  readonly transitions: boolean;
  /** Its describe call shows why a creation failed (DescribeDataset has no failureReason). */
  readonly failureReason: boolean;
  /** Its names are unique in the account and region (a Personalize dataset's only in its group). */
  readonly uniqueNames: boolean;
  /** Transition steps from create to ACTIVE in the emulator. */
  readonly createSteps: number;
  /** Checks after the in-place update (same physical id already checked). */
  readonly checkInPlace?: (ctx: ScenarioContext, driver: Driver, before: DeployedResource, after: DeployedResource) => Promise<void>;
  /** Checks after the replacement (old one gone, new one ACTIVE already checked). */
  readonly checkReplaced?: (ctx: ScenarioContext, driver: Driver, after: DeployedResource) => Promise<void>;
}

/**
 * A construct's subject: its resource type, service and Data attributes as the contract states them,
 * its fixed name and its stack variants as stacks.ts names them (`<prefix>-v1`, `<prefix>-fixed-v1`,
 * the replacing change `<prefix>-<replace>` and its fixed-name twin `<prefix>-fixed-<replace>`,
 * `<prefix>-retain`, `<prefix>-pair`, and where the construct has them `<prefix>-<inPlace>` and
 * `<prefix>-wait-bound`).
 */
function subject(construct: ConstructName, prefix: keyof typeof FIXED_NAMES, emulatorType: string,
  variants: { readonly inPlace?: string; readonly replace: string; readonly waitBound: boolean },
  facts: Omit<Subject, 'construct' | 'resourceType' | 'emulatorType' | 'service' | 'attributes' | 'stacks' | 'fixedName'>): Subject {
  const { type, service, attributes } = RESOURCES[construct];
  return {
    construct,
    resourceType: type,
    emulatorType,
    service,
    attributes,
    stacks: {
      v1: `${prefix}-v1`,
      inPlace: variants.inPlace === undefined ? undefined : `${prefix}-${variants.inPlace}`,
      replace: `${prefix}-${variants.replace}`,
      fixed: `${prefix}-fixed-v1`,
      fixedReplace: `${prefix}-fixed-${variants.replace}`,
      retain: `${prefix}-retain`,
      waitBound: variants.waitBound ? `${prefix}-wait-bound` : undefined,
      pair: `${prefix}-pair`,
    },
    fixedName: FIXED_NAMES[prefix],
    ...facts,
  };
}

const GROUP = subject('DatasetGroup', 'group', 'dataset-group', { inPlace: 'tags', replace: 'domain', waitBound: true }, {
  operations: { create: 'CreateDatasetGroup', describe: 'DescribeDatasetGroup', delete: 'DeleteDatasetGroup' },
  transitions: true,
  failureReason: true,
  uniqueNames: true,
  createSteps: 2,
  async checkInPlace(ctx, _driver, _before, after) {
    assert.deepEqual(userTags(await personalizeTags(ctx, after.physicalId)), { stage: 'test', team: 'search' });
  },
  async checkReplaced(ctx, _driver, after) {
    const { datasetGroup } = await ctx.personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: after.physicalId }));
    assert.equal(datasetGroup?.domain, 'ECOMMERCE');
  },
});

const SCHEMA = subject('Schema', 'schema', 'schema', { replace: 'fields', waitBound: false }, {
  operations: { create: 'CreateSchema', describe: 'DescribeSchema', delete: 'DeleteSchema' },
  transitions: false,
  failureReason: true,
  uniqueNames: true,
  createSteps: 0,
  async checkReplaced(ctx, _driver, after) {
    const { schema } = await ctx.personalize.send(new p.DescribeSchemaCommand({ schemaArn: after.physicalId }));
    assert.match(schema?.schema ?? '', /DEVICE/);
  },
});

const DATASET = subject('Dataset', 'dataset', 'dataset', { inPlace: 'schema', replace: 'users', waitBound: true }, {
  operations: { create: 'CreateDataset', describe: 'DescribeDataset', delete: 'DeleteDataset' },
  transitions: true,
  failureReason: false,
  uniqueNames: false,
  createSteps: 2,
  async checkInPlace(ctx, driver, before, after) {
    assert.deepEqual(userTags(await personalizeTags(ctx, after.physicalId)), { team: 'search' });
    // The Items schema was replaced (schemas cannot change), and the dataset took the new one with UpdateDataset.
    const newSchema = resourceOf(driver, SCHEMA.resourceType).physicalId;
    assert.notEqual(newSchema, before.properties.SchemaArn, 'the schema should have been replaced');
    const { dataset } = await ctx.personalize.send(new p.DescribeDatasetCommand({ datasetArn: after.physicalId }));
    assert.equal(dataset?.schemaArn, newSchema);
    assert.equal(dataset?.latestDatasetUpdate?.status, 'ACTIVE');
    assert.equal(ctx.emu.calls({ operation: 'UpdateDataset' }).filter((c) => !c.error).length, 1);
    assert.equal(statusOf(ctx, String(before.properties.SchemaArn)), 'DELETED', 'the old schema should be deleted in the cleanup');
  },
  async checkReplaced(ctx, _driver, after) {
    const { dataset } = await ctx.personalize.send(new p.DescribeDatasetCommand({ datasetArn: after.physicalId }));
    assert.equal(dataset?.datasetType, 'USERS');
  },
});

const EVALUATION = subject('EvaluationDataset', 'evaluation', 'evaluation-dataset', { inPlace: 'examples', replace: 'schema-type', waitBound: true }, {
  operations: { create: 'CreateDataset', describe: 'GetDataset', delete: 'DeleteDataset' },
  transitions: true,
  failureReason: true,
  uniqueNames: true,
  createSteps: 1,
  async checkInPlace(ctx, _driver, before, after) {
    assert.equal(after.attributes.EvaluationDatasetId, before.attributes.EvaluationDatasetId, 'the dataset should keep its id');
    assert.equal(Number(after.attributes.DatasetVersion), Number(before.attributes.DatasetVersion) + 1, 'the version should be bumped');
    const datasetId = String(after.attributes.EvaluationDatasetId);
    const dataset = await ctx.agentcore.send(new ac.GetDatasetCommand({ datasetId }));
    assert.equal(dataset.description, 'Checkout regression set, second edition');
    assert.equal(dataset.exampleCount, 3);
    assert.equal(dataset.draftStatus, 'UNMODIFIED');
    const { tags } = await ctx.agentcore.send(new ac.ListTagsForResourceCommand({ resourceArn: after.physicalId }));
    assert.deepEqual(userTags(tags ?? {}), { stage: 'test', team: 'agents' });
  },
  async checkReplaced(ctx, _driver, after) {
    const dataset = await ctx.agentcore.send(new ac.GetDatasetCommand({ datasetId: String(after.attributes.EvaluationDatasetId) }));
    assert.equal(dataset.schemaType, 'THIRD_PARTY_EVALUATION_V1');
  },
});

const TRACKER = subject('EventTracker', 'tracker', 'event-tracker', { inPlace: 'tags', replace: 'other-group', waitBound: true }, {
  operations: { create: 'CreateEventTracker', describe: 'DescribeEventTracker', delete: 'DeleteEventTracker' },
  transitions: true,
  // DescribeEventTracker has no failureReason: the service gives none for trackers.
  failureReason: false,
  uniqueNames: true,
  createSteps: 2,
  async checkInPlace(ctx, driver, before, after) {
    assert.deepEqual(userTags(await personalizeTags(ctx, after.physicalId)), { stage: 'test', team: 'search' });
    assert.equal(after.attributes.TrackingId, before.attributes.TrackingId, 'the tracking id should not change');
    await expectTrackingIdHanded(ctx, driver);
  },
  async checkReplaced(ctx, driver, after) {
    const { eventTracker } = await ctx.personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn: after.physicalId }));
    assert.equal(eventTracker?.datasetGroupArn, resourceOf(driver, GROUP.resourceType, 'OtherGroup').physicalId, 'the new tracker should be in the other group');
    await expectTrackingIdHanded(ctx, driver);
  },
});

export const SUBJECTS: readonly Subject[] = [GROUP, SCHEMA, DATASET, EVALUATION, TRACKER];

// ---- the scenarios every construct goes through ----

function lifecycleScenarios(s: Subject): Scenario[] {
  const scenario = (name: string, run: Scenario['run'], knownBug?: string): Scenario => ({ name, construct: s.construct, run, knownBug });
  const list: Scenario[] = [];

  list.push(scenario('deploy: ACTIVE in the emulator with its attributes resolved; destroy: everything gone', async (ctx) => {
    const { driver, resource } = await deployed(ctx, s.stacks.v1, s.resourceType);
    const info = expectLive(ctx, resource.physicalId, 'ACTIVE');
    for (const attribute of s.attributes) assert.ok(resource.attributes[attribute], `attribute ${attribute} should be resolved`);
    assert.ok(Object.values(resource.attributes).includes(info.name), 'the name attribute should be the name in the emulator');
    const outputs = Object.values(driver.outputs).map(String);
    assert.ok(outputs.includes(resource.physicalId), 'the ARN should resolve into the stack outputs');
    expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    assert.deepEqual(live(ctx), [], 'nothing should be left');
    assert.deepEqual(retainedOf(driver), []);
  }));

  if (s.stacks.inPlace) {
    list.push(scenario(`update in place (${inPlaceWhat(s)}): same physical id`, async (ctx) => {
      const { driver, resource: before } = await deployed(ctx, s.stacks.v1, s.resourceType);
      expectStatus(await driver.update(ctx.stack(s.stacks.inPlace!)), 'UPDATE_COMPLETE');
      const after = resourceOf(driver, s.resourceType);
      assert.equal(after.physicalId, before.physicalId, 'an in-place update keeps the physical id');
      assert.equal(ctx.emu.calls({ service: s.service, operation: s.operations.create }).length, 1, 'nothing should be created again');
      expectLive(ctx, after.physicalId, 'ACTIVE');
      await s.checkInPlace?.(ctx, driver, before, after);
    }));
  }

  list.push(scenario('update with a replacement (generated name): a new resource, the old one deleted', async (ctx) => {
    const { driver, resource: before } = await deployed(ctx, s.stacks.v1, s.resourceType);
    expectStatus(await driver.update(ctx.stack(s.stacks.replace)), 'UPDATE_COMPLETE');
    const after = resourceOf(driver, s.resourceType);
    assert.notEqual(after.physicalId, before.physicalId, 'a replacement has a new physical id');
    expectLive(ctx, after.physicalId, 'ACTIVE');
    assert.equal(statusOf(ctx, before.physicalId), 'DELETED', 'the replaced resource should be deleted in the cleanup');
    assert.notEqual(ctx.emu.resource(after.physicalId)?.name, ctx.emu.resource(before.physicalId)?.name);
    await s.checkReplaced?.(ctx, driver, after);
  }));

  const fixedNameRefused = async (ctx: ScenarioContext): Promise<OperationResult> => {
    const { driver, resource } = await deployed(ctx, s.stacks.fixed, s.resourceType);
    const before = ctx.emu.resource(resource.physicalId)!;
    const firstCall = ctx.emu.calls().length;
    const result = await driver.update(ctx.stack(s.stacks.fixedReplace));
    assert.equal(result.ok, false, 'the update should fail');
    assert.equal(result.failure?.logicalId, resource.logicalId);
    assert.match(result.failure?.reason ?? '', new RegExp(`${s.fixedName}[\\s\\S]*Nothing was changed`));
    // Nothing was asked of the service about the resource (reads aside), and it is as it was.
    const touching = ctx.emu.calls().slice(firstCall)
      .filter((c) => c.resource === resource.physicalId || c.name === s.fixedName)
      .filter((c) => !/^(Describe|Get|List)/.test(c.operation));
    assert.deepEqual(touching.map(callLine), [], 'no call should change the resource');
    const after = expectLive(ctx, resource.physicalId, 'ACTIVE');
    assert.equal(after.history.length, before.history.length, 'the resource should not have changed status');
    assert.equal(driver.physicalIds()[resource.logicalId], resource.physicalId);
    assert.equal(live(ctx).filter((r) => r.type === s.emulatorType).length, 1);
    return result;
  };
  list.push(scenario('update that would replace a fixed name: refused before any service call, nothing changed', async (ctx) => {
    await fixedNameRefused(ctx);
  }));
  list.push(scenario('update that would replace a fixed name: the stack rolls back cleanly (UPDATE_ROLLBACK_COMPLETE)', async (ctx) => {
    expectStatus(await fixedNameRefused(ctx), 'UPDATE_ROLLBACK_COMPLETE');
  }));

  list.push(scenario('destroy with RETAIN: left in the emulator, reported retained', async (ctx) => {
    const driver = ctx.driver();
    expectStatus(await driver.deploy(ctx.stack(s.stacks.retain)), 'CREATE_COMPLETE');
    const ids = Object.values(driver.physicalIds());
    expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    assert.deepEqual(retainedOf(driver).map((r) => r.physicalId).sort(), [...ids].sort(), 'every resource should be reported retained');
    for (const id of ids) expectLive(ctx, id, 'ACTIVE');
    assert.equal(ctx.emu.calls().filter((c) => c.operation.startsWith('Delete')).length, 0, 'no delete should be issued');
  }));

  list.push(scenario('a retried create and a retried delete (Lambda runs onEvent twice with the same request): one resource, no duplicate, the delete does not fail', async (ctx) => {
    const driver = ctx.driver({ retryOnEvent: (r) => (r.RequestType !== 'Update' && r.ResourceType === s.resourceType ? 1 : 0) });
    expectStatus(await driver.deploy(ctx.stack(s.stacks.v1)), 'CREATE_COMPLETE');
    const resource = resourceOf(driver, s.resourceType);
    const invocations = driver.record.calls.filter((c) => c.logicalId === resource.logicalId && c.handler === 'onEvent');
    assert.equal(invocations.length, 2, 'onEvent should run twice');
    assert.equal(invocations[1].error, undefined, `the second run should succeed: ${invocations[1].error?.errorMessage}`);
    assert.equal(ctx.emu.calls({ service: s.service, operation: s.operations.create }).length, 2, 'both runs call create');
    assert.equal(live(ctx).filter((r) => r.type === s.emulatorType).length, 1, 'one resource');
    expectLive(ctx, resource.physicalId, 'ACTIVE');
    expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    const deletes = driver.record.calls.filter((c) => c.logicalId === resource.logicalId && c.handler === 'onEvent' && c.requestType === 'Delete');
    assert.equal(deletes.length, 2, 'onEvent should run twice for the delete');
    assert.deepEqual(live(ctx), []);
  }));

  if (s.uniqueNames) {
    list.push(scenario('a fixed name another stack already holds: the create fails saying so, the other one is left untouched', async (ctx) => {
      const owner = ctx.driver();
      expectStatus(await owner.deploy(ctx.stack(s.stacks.fixed)), 'CREATE_COMPLETE');
      const theirs = resourceOf(owner, s.resourceType);
      const before = ctx.emu.resource(theirs.physicalId)!;
      const firstCall = ctx.emu.calls().length;
      const intruder = ctx.driver();
      const result = await intruder.deploy(ctx.stack(s.stacks.fixed));
      expectStatus(result, 'ROLLBACK_COMPLETE');
      assert.equal(result.failure?.resourceType, s.resourceType);
      assert.match(result.failure?.reason ?? '', new RegExp(`${s.fixedName}[\\s\\S]*left untouched`));
      const changes = ctx.emu.calls().slice(firstCall).filter((c) => c.resource === theirs.physicalId && !/^(Describe|Get|List)/.test(c.operation));
      assert.deepEqual(changes.map(callLine), [], 'nothing should be done to the other stack\'s resource');
      assert.equal(expectLive(ctx, theirs.physicalId, 'ACTIVE').history.length, before.history.length);
      assert.deepEqual(intruder.physicalIds(), {});
    }));
  }

  list.push(...faultScenarios(s, scenario));

  list.push(scenario('rollback of a stack whose second resource fails: the first is deleted', async (ctx) => {
    ctx.fault(s.transitions
      ? { kind: 'fail', service: s.service, operation: s.operations.create, resource: /second/i, reason: 'Emulated: the second one fails' }
      : { kind: 'error', service: s.service, operation: s.operations.create, resource: /second/i, error: 'LimitExceededException', message: 'Emulated: the second one fails' });
    const driver = ctx.driver();
    const result = await driver.deploy(ctx.stack(s.stacks.pair));
    expectStatus(result, 'ROLLBACK_COMPLETE');
    assert.match(result.failure?.logicalId ?? '', /Second/);
    assert.match(result.failure?.reason ?? '', s.failureReason ? /Emulated: the second one fails/ : /CREATE FAILED/);
    const first = driver.record.requests.find((r) => r.request.LogicalResourceId.includes('First') && r.request.RequestType === 'Create');
    assert.ok(first?.physicalId, 'the first resource should have been created');
    assert.equal(statusOf(ctx, first.physicalId), 'DELETED', 'the first resource should be deleted by the rollback');
    assert.deepEqual(live(ctx), [], 'nothing should be left');
    assert.deepEqual(driver.physicalIds(), {});
  }));
  return list;
}

/** How long (real ms) a slow creation takes in the slow-transition scenario. */
const SLOW_CREATE_MS = 600;

function faultScenarios(s: Subject, scenario: (name: string, run: Scenario['run'], knownBug?: string) => Scenario): Scenario[] {
  const { service } = s;
  const { create, describe, delete: remove } = s.operations;
  const list: Scenario[] = [];

  /** Deploys v1 with the faults in place; checks the resource is ACTIVE. */
  const deployWith = async (ctx: ScenarioContext, ...faults: FaultSpec[]) => {
    faults.forEach((f) => ctx.fault(f));
    const { driver, resource } = await deployed(ctx, s.stacks.v1, s.resourceType);
    expectLive(ctx, resource.physicalId, 'ACTIVE');
    return { driver, resource };
  };

  list.push(scenario(`throttling on create (${create} throttled twice): retried, created once`, async (ctx) => {
    await deployWith(ctx, { kind: 'throttle', service, operation: create, times: 2 });
    assert.equal(ctx.emu.calls({ service, operation: create }).filter((c) => !c.error).length, 1);
    assert.equal(live(ctx).length, liveCountOfV1(s));
  }));

  list.push(scenario(`throttling while waiting (${describe} throttled 4 times): the wait goes on`, async (ctx) => {
    await deployWith(ctx, { kind: 'throttle', service, operation: describe, times: 4 });
  }));

  list.push(scenario(`a 5xx on create and a 503 while waiting (${create}, ${describe}): retried`, async (ctx) => {
    await deployWith(ctx,
      { kind: 'server-error', service, operation: create, times: 1 },
      { kind: 'server-error', service, operation: describe, status: 503, times: 1 });
    assert.equal(ctx.emu.calls({ service, operation: create }).filter((c) => !c.error).length, 1);
  }));

  // Calls that are read and never answered (a half-open connection), or answered late: the handlers'
  // request timeout ends them and the SDK asks again, within the invocation's time.
  list.push(scenario(`a status call never answered (${describe}, once): it times out, the SDK asks again, the wait goes on`, async (ctx) => {
    const { driver, resource } = await deployWith(ctx, { kind: 'no-response', service, operation: describe, times: 1 });
    const described = ctx.emu.calls({ service, operation: describe });
    assert.equal(described[0].delivery, 'no-response');
    assert.ok(described.slice(1).some((c) => c.httpStatus === 200), 'a later status call should be answered');
    assert.deepEqual(failedInvocations(driver, resource.logicalId), [], 'no invocation should fail');
  }));

  list.push(scenario(`a slow answer while waiting (${describe} answered 100 ms late): waited for, no invocation fails`, async (ctx) => {
    const { driver, resource } = await deployWith(ctx, { kind: 'slow-response', service, operation: describe, delayMs: 100, times: 1 });
    assert.equal(ctx.emu.calls({ service, operation: describe }).filter((c) => c.delivery === 'slow-response').length, 1);
    assert.deepEqual(failedInvocations(driver, resource.logicalId), [], 'no invocation should fail');
  }));

  list.push(scenario(`a create whose answer is lost (${create} ran, its answer never came): the SDK asks again, the one resource made is kept`, async (ctx) => {
    const { resource } = await deployWith(ctx, { kind: 'no-response', service, operation: create, executes: true, times: 1 });
    const creates = ctx.emu.calls({ service, operation: create });
    assert.equal(creates[0].delivery, 'no-response');
    assert.ok(creates.length >= 2, 'the SDK should have asked again');
    assert.deepEqual(live(ctx).filter((r) => r.type === s.emulatorType).map((r) => r.arn), [resource.physicalId], 'one resource, the one the first call made');
  }));

  if (s.transitions) {
    const withReason = s.failureReason ? 'the stack fails with that reason' : `the stack fails saying so (${describe} has no failureReason to show)`;
    list.push(scenario(`CREATE FAILED with a reason: ${withReason}, nothing left behind`, async (ctx) => {
      const reason = 'Emulated: the service could not create it (quota of the account)';
      ctx.fault({ kind: 'fail', service, operation: create, reason });
      const driver = ctx.driver();
      const result = await driver.deploy(ctx.stack(s.stacks.v1));
      expectStatus(result, 'ROLLBACK_COMPLETE');
      assert.equal(result.failure?.resourceType, s.resourceType);
      const message = result.failure?.reason.split('\n')[0] ?? '';
      assert.match(message, /is CREATE.FAILED: /, 'the failure should name the status');
      if (s.failureReason) assert.ok(message.endsWith(reason), `the failure should carry the service's reason: ${message}`);
      else assert.match(message, /the service gave no reason/, 'the failure should say the service gave no reason');
      assert.deepEqual(live(ctx), [], 'nothing should be left');
    }));

    // The creation takes 600 ms (real), whatever its number of steps: 30 s simulated, many polls.
    const stepMs = Math.round(SLOW_CREATE_MS / s.createSteps);
    list.push(scenario(`a slow transition (${create} at ${stepMs} ms a step): waited for`, async (ctx) => {
      const { driver, resource } = await deployWith(ctx, { kind: 'slow', service, operation: create, delayMs: stepMs });
      const info = ctx.emu.resource(resource.physicalId)!;
      const active = info.history.find((h) => h.status === 'ACTIVE')!.at;
      const tookMs = (active - info.createdAt) * ctx.timeScale;
      assert.ok(tookMs >= SLOW_CREATE_MS - 10, `the transition should have been slow (${tookMs} ms)`);
      const polls = driver.record.calls.filter((c) => c.logicalId === resource.logicalId && c.handler === 'isComplete');
      // Waited for: "not yet" while the transition ran (how many times depends on the machine's
      // pace), complete only at the last poll.
      const answers = polls.map((c) => c.result?.IsComplete);
      assert.ok(answers.includes(false), `isComplete should have answered "not yet" before ACTIVE (${JSON.stringify(answers)})`);
      assert.deepEqual(answers.slice(0, -1).filter((a) => a !== false), [], 'only the last poll should be complete');
      assert.equal(answers[answers.length - 1], true);
      assert.equal(polls.filter((c) => c.error).length, 0);
    }));

    list.push(scenario('a stuck deletion: waited for, released later, the delete completes', async (ctx) => {
      const { driver, resource } = await deployWith(ctx);
      ctx.fault({ kind: 'stuck-delete', service, operation: remove });
      const destroying = driver.destroy();
      await waitUntil(() => /^DELETE|^DELETING/.test(statusOf(ctx, resource.physicalId) ?? ''), 'the deletion to start');
      await sleep(150);
      assert.ok(statusOf(ctx, resource.physicalId) !== 'DELETED', 'the deletion should be held');
      assert.equal(driver.status, 'DELETE_IN_PROGRESS', 'the destroy should still be waiting');
      assert.equal(ctx.emu.release(), 1);
      expectStatus(await destroying, 'DELETE_COMPLETE');
      assert.equal(statusOf(ctx, resource.physicalId), 'DELETED');
      assert.deepEqual(live(ctx), []);
    }));

    if (s.stacks.waitBound) {
      list.push(scenario(`a create that outlasts the wait bound (${WAIT_BOUND.toSeconds()} s): fails saying so; the rollback waits for the creation to end, then deletes it`, async (ctx) => {
        // The creation takes 1.5 wait bounds: past the create's bound, within the delete's.
        ctx.fault({ kind: 'slow', service, operation: create, delayMs: Math.round((1.5 * waitBoundMs()) / s.createSteps) });
        const driver = ctx.driver();
        const result = await driver.deploy(ctx.stack(s.stacks.waitBound!));
        expectStatus(result, 'ROLLBACK_COMPLETE');
        assert.equal(result.failure?.resourceType, s.resourceType);
        assert.match(result.failure?.reason ?? '', new RegExp(`^Timed out after ${WAIT_BOUND.toSeconds()} seconds waiting for .* to become ACTIVE; last status: CREAT`));
        const created = ctx.emu.resources({ type: s.emulatorType })[0];
        assert.ok(created.history.some((h) => h.status === 'ACTIVE'), 'the creation should have ended before the deletion');
        assert.equal(created.status, 'DELETED');
        assert.deepEqual(live(ctx), []);
      }));

      list.push(scenario(`a stuck deletion past the wait bound (${WAIT_BOUND.toSeconds()} s): the delete fails with a clear message; a later destroy completes`, async (ctx) => {
        ctx.fault({ kind: 'stuck-delete', service, operation: remove, times: 1 });
        const { driver, resource } = await deployed(ctx, s.stacks.waitBound!, s.resourceType);
        const result = await driver.destroy();
        expectStatus(result, 'DELETE_FAILED');
        assert.equal(result.failure?.logicalId, resource.logicalId);
        assert.match(result.failure?.reason ?? '', new RegExp(`^Timed out after ${WAIT_BOUND.toSeconds()} seconds waiting for .* to be deleted; last status: DELET`));
        assert.match(result.failure?.reason ?? '', /waitTimeout/);
        assert.equal(driver.physicalIds()[resource.logicalId], resource.physicalId, 'the stack still holds it');
        assert.equal(ctx.emu.release(), 1);
        expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
        assert.deepEqual(live(ctx), []);
      }));
    }
  }

  if (s.service === 'personalize') {
    const times = s.construct === 'DatasetGroup' ? 3 : 1;
    list.push(scenario(`in use on delete (${remove} refused ${times}x with ResourceInUseException): retried until it clears`, async (ctx) => {
      const { driver, resource } = await deployWith(ctx);
      ctx.fault({ kind: 'in-use', service, operation: remove, resource: resource.physicalId, times, reason: 'Emulated: still in use' });
      expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
      const deletes = ctx.emu.calls({ service, operation: remove }).filter((c) => c.resource === resource.physicalId);
      assert.equal(deletes.filter((c) => c.error === 'ResourceInUseException').length, times);
      assert.equal(statusOf(ctx, resource.physicalId), 'DELETED');
      assert.deepEqual(live(ctx), []);
    }));
  } else {
    list.push(scenario('in use by an evaluation job on delete (REFERENCED_BY_EVAL_JOB): the delete fails saying what to do; after the job, destroy completes', async (ctx) => {
      const { driver, resource } = await deployWith(ctx);
      ctx.fault({ kind: 'in-use', service, operation: remove, times: 1 });
      const result = await driver.destroy();
      expectStatus(result, 'DELETE_FAILED');
      assert.match(result.failure?.reason ?? '', /used by an active evaluation job[\s\S]*removalPolicy RETAIN/);
      expectLive(ctx, resource.physicalId, 'ACTIVE');
      expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
      assert.deepEqual(live(ctx), []);
    }));
  }

  if (!s.transitions) {
    list.push(scenario(`an error on create (${create}: LimitExceededException): the stack fails with the service's message, nothing left behind`, async (ctx) => {
      ctx.fault({ kind: 'error', service, operation: create, error: 'LimitExceededException', message: 'Emulated: too many schemas in the account' });
      const driver = ctx.driver();
      const result = await driver.deploy(ctx.stack(s.stacks.v1));
      expectStatus(result, 'ROLLBACK_COMPLETE');
      assert.match(result.failure?.reason ?? '', /LimitExceededException: Emulated: too many schemas in the account/);
      assert.deepEqual(live(ctx), []);
    }));
  }
  return list;
}

// ---- scenarios of one construct ----

const DATASET_ONLY: Scenario[] = [{
  name: 'a handler role without one of its grants (personalize:CreateDataset taken out of the template): the deploy fails with AccessDeniedException naming the action and the dataset; nothing left behind',
  construct: 'Dataset',
  deniesOnPurpose: true,
  async run(ctx) {
    const artifact = ctx.stack('dataset-v1');
    const template = withoutAction(artifact.template, 'personalize:CreateDataset');
    const driver = ctx.driver();
    const result = await driver.deploy({ stackName: artifact.stackName, template, directory: artifact.assembly.directory });
    expectStatus(result, 'ROLLBACK_COMPLETE');
    assert.equal(result.failure?.resourceType, DATASET.resourceType);
    assert.match(result.failure?.reason ?? '',
      /AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/.+ is not authorized to perform: personalize:CreateDataset on resource: arn:aws:personalize:us-east-1:123456789012:dataset\/.+\/ITEMS because no identity-based policy allows the personalize:CreateDataset action/);
    assert.deepEqual(ctx.emu.authorization().denials.map((d) => d.action), ['personalize:CreateDataset'], 'only the call whose grant was taken away is denied');
    assert.deepEqual(live(ctx), [], 'nothing should be left');
  },
}, {
  name: 'a schema update that fails (UPDATE FAILED with a reason): the update fails with it, the stack rolls back to the old schema',
  construct: 'Dataset',
  async run(ctx) {
    const { driver, resource: dataset } = await deployed(ctx, 'dataset-v1', DATASET.resourceType);
    const oldSchema = resourceOf(driver, SCHEMA.resourceType).physicalId;
    ctx.fault({ kind: 'fail', service: 'personalize', operation: 'UpdateDataset', times: 1, reason: 'Emulated: the new schema is not compatible' });
    const result = await driver.update(ctx.stack('dataset-schema'));
    expectStatus(result, 'UPDATE_ROLLBACK_COMPLETE');
    assert.equal(result.failure?.logicalId, dataset.logicalId);
    assert.match(result.failure?.reason ?? '', /Emulated: the new schema is not compatible/);
    const { dataset: described } = await ctx.personalize.send(new p.DescribeDatasetCommand({ datasetArn: dataset.physicalId }));
    assert.equal(described?.schemaArn, oldSchema, 'the dataset should be back on its old schema');
    assert.equal(resourceOf(driver, SCHEMA.resourceType).physicalId, oldSchema);
    assert.equal(live(ctx).filter((r) => r.type === 'schema').length, 1, 'the new schema should be deleted by the rollback');
  },
}];

const EVALUATION_ONLY: Scenario[] = [{
  name: 'update in place from one S3 file to another: same id, the examples of the new file, a new version',
  construct: 'EvaluationDataset',
  async run(ctx) {
    const { driver, resource: before } = await deployed(ctx, 'evaluation-s3-v1', EVALUATION.resourceType);
    const datasetId = String(before.attributes.EvaluationDatasetId);
    assert.equal((await ctx.agentcore.send(new ac.GetDatasetCommand({ datasetId }))).exampleCount, 2);
    expectStatus(await driver.update(ctx.stack('evaluation-s3-v2')), 'UPDATE_COMPLETE');
    const after = resourceOf(driver, EVALUATION.resourceType);
    assert.equal(after.physicalId, before.physicalId);
    assert.equal(Number(after.attributes.DatasetVersion), Number(before.attributes.DatasetVersion) + 1);
    const dataset = await ctx.agentcore.send(new ac.GetDatasetCommand({ datasetId }));
    assert.equal(dataset.exampleCount, 3);
    assert.equal(dataset.draftStatus, 'UNMODIFIED');
  },
}, {
  name: 'an example write whose answer is lost (it ran, its answer never came): the SDK asks again with the same client token, the examples are right once',
  construct: 'EvaluationDataset',
  async run(ctx) {
    const { driver, resource } = await deployed(ctx, 'evaluation-v1', EVALUATION.resourceType);
    const writes = ['AddDatasetExamples', 'UpdateDatasetExamples'];
    ctx.fault({ kind: 'no-response', service: 'agentcore', operation: writes, executes: true, times: 1 });
    expectStatus(await driver.update(ctx.stack('evaluation-examples')), 'UPDATE_COMPLETE');
    const lost = ctx.emu.calls({ service: 'agentcore' }).filter((c) => writes.includes(c.operation) && c.delivery === 'no-response');
    assert.equal(lost.length, 1, 'one example write should have lost its answer');
    const dataset = await ctx.agentcore.send(new ac.GetDatasetCommand({ datasetId: String(resource.attributes.EvaluationDatasetId) }));
    assert.equal(dataset.exampleCount, 3);
    assert.equal(dataset.draftStatus, 'UNMODIFIED');
    assert.deepEqual(failedInvocations(driver, resource.logicalId), [], 'no invocation should fail');
  },
}, {
  name: 'an example change that fails (UPDATE_FAILED with a reason): the update fails with that reason, the dataset keeps its id',
  construct: 'EvaluationDataset',
  async run(ctx) {
    await failedExampleChange(ctx);
  },
}, {
  name: 'an example change that fails: the stack rolls back cleanly (UPDATE_ROLLBACK_COMPLETE) to the old examples',
  construct: 'EvaluationDataset',
  async run(ctx) {
    const { result, datasetId } = await failedExampleChange(ctx);
    expectStatus(result, 'UPDATE_ROLLBACK_COMPLETE');
    const dataset = await ctx.agentcore.send(new ac.GetDatasetCommand({ datasetId }));
    assert.equal(dataset.exampleCount, 2);
  },
}];

/** Deploys an evaluation dataset, then an update whose example change fails. */
async function failedExampleChange(ctx: ScenarioContext): Promise<{ result: OperationResult; datasetId: string }> {
  const { driver, resource } = await deployed(ctx, 'evaluation-v1', EVALUATION.resourceType);
  ctx.fault({
    kind: 'fail',
    service: 'agentcore',
    operation: ['AddDatasetExamples', 'UpdateDatasetExamples'],
    times: 1,
    reason: 'Emulated: an example is too large',
  });
  const result = await driver.update(ctx.stack('evaluation-examples'));
  assert.equal(result.ok, false);
  assert.equal(result.failure?.logicalId, resource.logicalId);
  assert.match(result.failure?.reason ?? '', /UPDATE_FAILED: Emulated: an example is too large/);
  assert.equal(driver.physicalIds()[resource.logicalId], resource.physicalId);
  return { result, datasetId: String(resource.attributes.EvaluationDatasetId) };
}

const TRACKER_ONLY: Scenario[] = [{
  name: 'the stack of a group, an Interactions dataset, a tracker and a function granted PutEvents: the function gets the tracking id; every handler call authorized',
  construct: 'EventTracker',
  async run(ctx) {
    const driver = ctx.driver();
    expectStatus(await driver.deploy(ctx.stack('tracker-v1')), 'CREATE_COMPLETE');
    // The handlers' calls, before the scenario's own reads (which are not a role's, so not checked).
    const trackerCalls = ctx.emu.calls({ service: 'personalize' }).filter((c) => /EventTracker/.test(c.operation));
    assert.ok(trackerCalls.length > 0 && trackerCalls.every((c) => c.checked && !c.denied),
      `every tracker call should be authorized against the handler role's policies: ${trackerCalls.filter((c) => !c.checked || c.denied).map(callLine).join(', ')}`);
    const tracker = resourceOf(driver, TRACKER.resourceType);
    const group = resourceOf(driver, GROUP.resourceType);
    const { eventTracker } = await ctx.personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn: tracker.physicalId }));
    assert.equal(eventTracker?.datasetGroupArn, group.physicalId);
    assert.equal(driver.outputs.TrackingId, eventTracker?.trackingId, 'the TrackingId output should be the service\'s');
    await expectTrackingIdHanded(ctx, driver);
    // The tracker was created once its group was ACTIVE (its ARN is a reference to the group's resource).
    const groupActive = ctx.emu.resource(group.physicalId)!.history.find((h) => h.status === 'ACTIVE')!.at;
    const [create] = ctx.emu.calls({ operation: 'CreateEventTracker' });
    assert.ok(create.time >= groupActive, 'CreateEventTracker should come after the group is ACTIVE');
    expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    assert.deepEqual(ctx.emu.authorization().denials, [], 'no handler call should be denied');
  },
}, {
  name: 'destroy: the tracker is deleted and gone before its group\'s deletion is asked for, which is never refused for it',
  construct: 'EventTracker',
  async run(ctx) {
    const { driver, resource: tracker } = await deployed(ctx, 'tracker-v1', TRACKER.resourceType);
    const group = resourceOf(driver, GROUP.resourceType);
    expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    const gone = ctx.emu.resource(tracker.physicalId)!.history.find((h) => h.status === 'DELETED');
    assert.ok(gone, 'the tracker should be deleted');
    const groupDeletes = ctx.emu.calls({ operation: 'DeleteDatasetGroup' }).filter((c) => c.resource === group.physicalId);
    assert.ok(groupDeletes.length > 0, 'the group should be deleted');
    assert.ok(groupDeletes[0].time >= gone.at, 'the group\'s deletion should be asked for only once the tracker is gone');
    assert.deepEqual(groupDeletes.filter((c) => c.error).map(callLine), [], 'the group\'s deletion should not be refused');
    assert.deepEqual(live(ctx), []);
  },
}, {
  name: 'a retried create after a lost response (onEvent Create run again with the same request): the second run adopts the tracker the first made',
  construct: 'EventTracker',
  async run(ctx) {
    const driver = ctx.driver({ retryOnEvent: (r) => (r.RequestType === 'Create' && r.ResourceType === TRACKER.resourceType ? 1 : 0) });
    expectStatus(await driver.deploy(ctx.stack('tracker-v1')), 'CREATE_COMPLETE');
    const tracker = resourceOf(driver, TRACKER.resourceType);
    const creates = ctx.emu.calls({ operation: 'CreateEventTracker' });
    assert.deepEqual(creates.map((c) => c.error ?? 'created'), ['created', 'ResourceAlreadyExistsException'],
      'the second run should meet the tracker of the first as a taken name');
    assert.ok(ctx.emu.calls({ operation: 'ListEventTrackers' }).some((c) => !c.error), 'the second run should find it in its group');
    const trackers = live(ctx).filter((r) => r.type === TRACKER.emulatorType);
    assert.deepEqual(trackers.map((r) => r.arn), [tracker.physicalId], 'one tracker, the one the first run made');
    await expectTrackingIdHanded(ctx, driver);
    expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    assert.deepEqual(live(ctx), []);
  },
}];

/** A stack update the scenarios make: from one variant of a stack (stacks.ts) to another. */
export interface StackUpdate {
  readonly construct: ConstructName;
  readonly from: string;
  readonly to: string;
}

/**
 * Every update the scenarios make (in place, with a replacement, refused for a fixed name, and from
 * one S3 file to another), each once: for checks that must cover them all, such as the agreement of
 * `cdk-datasets plan` with what the handlers do (test/cli/agreement.test.ts).
 */
export function updateScenarioStacks(): StackUpdate[] {
  return [
    ...SUBJECTS.flatMap((s) => [
      ...(s.stacks.inPlace ? [{ construct: s.construct, from: s.stacks.v1, to: s.stacks.inPlace }] : []),
      { construct: s.construct, from: s.stacks.v1, to: s.stacks.replace },
      { construct: s.construct, from: s.stacks.fixed, to: s.stacks.fixedReplace },
    ]),
    // EVALUATION_ONLY; DATASET_ONLY and the failed example change update as the in-place scenarios do.
    { construct: 'EvaluationDataset', from: 'evaluation-s3-v1', to: 'evaluation-s3-v2' },
  ];
}

/** Every scenario, construct by construct. */
export function allScenarios(): Scenario[] {
  return [
    ...lifecycleScenarios(GROUP),
    ...lifecycleScenarios(SCHEMA),
    ...lifecycleScenarios(DATASET),
    ...DATASET_ONLY,
    ...lifecycleScenarios(EVALUATION),
    ...EVALUATION_ONLY,
    ...lifecycleScenarios(TRACKER),
    ...TRACKER_ONLY,
  ];
}

// ---- helpers ----

/** The wait bound of the `-wait-bound` stacks in real milliseconds, at the rehearsal's time scale. */
function waitBoundMs(): number {
  return WAIT_BOUND.toMilliseconds() * DEFAULT_TIME_SCALE;
}

function inPlaceWhat(s: Subject): string {
  switch (s.construct) {
    case 'Dataset': return 'tags, and a new schema for its Items';
    case 'EvaluationDataset': return 'tags, description and examples; a new version';
    default: return 'tags';
  }
}

/**
 * Live resources in the emulator when v1 is deployed (a Dataset's stack has its group and schema
 * too; an EventTracker's its group, an Interactions dataset and its schema).
 */
function liveCountOfV1(s: Subject): number {
  switch (s.construct) {
    case 'Dataset': return 3;
    case 'EventTracker': return 4;
    default: return 1;
  }
}

/** The stack's one custom resource of a type (or the one whose logical id starts with `prefix`). */
export function resourceOf(driver: Driver, resourceType: string, prefix = ''): DeployedResource {
  const found = driver.resources().filter((r) => r.resourceType === resourceType && r.logicalId.startsWith(prefix));
  assert.equal(found.length, 1, `the driver should hold one ${resourceType}${prefix ? ` ${prefix}` : ''} (it holds ${found.length})`);
  return found[0];
}

/** Fails with the operation's failure reason when it did not end in `status`. */
export function expectStatus(result: OperationResult, status: string): void {
  if (result.status === status) return;
  const why = result.failure ? `: ${result.failure.logicalId} ${result.failure.status}: ${result.failure.reason.split('\n')[0]}` : '';
  const more = result.otherFailures.map((f) => `\n  then ${f.logicalId} ${f.status}: ${f.reason.split('\n')[0]}`).join('');
  assert.fail(`${result.operation} ended ${result.status}, expected ${status}${why}${more}`);
}

function expectLive(ctx: ScenarioContext, arn: string, status: string): ResourceInfo {
  const info = ctx.emu.resource(arn);
  assert.ok(info, `the emulator should hold ${arn}`);
  assert.equal(info.status, status, `${info.type} ${info.name} should be ${status}`);
  return info;
}

function statusOf(ctx: ScenarioContext, arn: string): string | undefined {
  return ctx.emu.resource(arn)?.status;
}

/** The library's resources the driver retained (not the simulated ones, such as the handlers' log group). */
function retainedOf(driver: Driver) {
  return driver.record.retained.filter((r) => r.resourceType.startsWith('Custom::'));
}

/** A copy of a template whose IAM policies no longer grant `action` (a statement left with no action goes). */
function withoutAction(template: any, action: string): any {
  const copy = JSON.parse(JSON.stringify(template));
  let removed = 0;
  for (const resource of Object.values<any>(copy.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = resource.Properties.PolicyDocument;
    document.Statement = [].concat(document.Statement).flatMap((statement: any) => {
      const actions = [].concat(statement.Action ?? []) as string[];
      const kept = actions.filter((a) => a !== action);
      removed += actions.length - kept.length;
      if (kept.length === actions.length) return [statement];
      return kept.length > 0 ? [{ ...statement, Action: kept.length === 1 ? kept[0] : kept }] : [];
    });
  }
  assert.ok(removed > 0, `no policy of the template grants ${action}`);
  return copy;
}

/** A new driver with the stack deployed (CREATE_COMPLETE), and the resource of the type it holds. */
async function deployed(ctx: ScenarioContext, stackId: string, resourceType: string): Promise<{ driver: Driver; resource: DeployedResource }> {
  const driver = ctx.driver();
  expectStatus(await driver.deploy(ctx.stack(stackId)), 'CREATE_COMPLETE');
  return { driver, resource: resourceOf(driver, resourceType) };
}

/** The handler invocations for a resource that failed, each as `handler: message`. */
function failedInvocations(driver: Driver, logicalId: string): string[] {
  return driver.record.calls.filter((c) => c.logicalId === logicalId && c.error).map((c) => `${c.handler}: ${c.error!.errorMessage}`);
}

/** Live resources in the emulator, import jobs aside. */
function live(ctx: ScenarioContext): ResourceInfo[] {
  return ctx.emu.resources().filter((r) => r.status !== 'DELETED' && r.type !== 'dataset-import-job');
}

/** The tracker stacks' function was handed the tracking id the service gave the tracker, in its environment. */
async function expectTrackingIdHanded(ctx: ScenarioContext, driver: Driver): Promise<void> {
  const tracker = resourceOf(driver, TRACKER.resourceType);
  const { eventTracker } = await ctx.personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn: tracker.physicalId }));
  assert.ok(eventTracker?.trackingId, 'the tracker should have a tracking id');
  assert.equal(tracker.attributes.TrackingId, eventTracker.trackingId, 'the TrackingId attribute should be the service\'s');
  const ingest = resourceOf(driver, 'AWS::Lambda::Function', 'Ingest');
  const variables = (ingest.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.equal(variables[TRACKING_ID_VARIABLE], eventTracker.trackingId, `the function's ${TRACKING_ID_VARIABLE} should be the tracking id`);
}

async function personalizeTags(ctx: ScenarioContext, resourceArn: string): Promise<Record<string, string>> {
  const { tags } = await ctx.personalize.send(new p.ListTagsForResourceCommand({ resourceArn }));
  return Object.fromEntries((tags ?? []).map((t) => [t.tagKey!, t.tagValue!]));
}

/** Tags without the library's own (ownership, examples source). */
function userTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('cdk-datasets:')).sort(([a], [b]) => a.localeCompare(b)));
}

function callLine(c: CallRecord): string {
  return `${c.service}:${c.operation} ${c.name ?? c.resource ?? ''}${c.error ? ` (${c.error})` : ''}`;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
