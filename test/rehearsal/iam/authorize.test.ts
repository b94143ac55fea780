/**
 * The authorization step: a call's IAM requests held against the reference (an emulator mapping that
 * forgets a required resource type is a bug that throws), then decided, with AWS's denial message;
 * and every operation of the emulated services maps consistently with the reference.
 */
import { AgentCoreService } from '../../../rehearsal/emulator/agentcore';
import { Faults } from '../../../rehearsal/emulator/faults';
import { ObjectStore } from '../../../rehearsal/emulator/objects';
import { PERSONALIZE_OPERATIONS, PersonalizeService } from '../../../rehearsal/emulator/personalize';
import { CallContext, Inspector, Runtime, Scheduler } from '../../../rehearsal/emulator/state';
import { authorize, AuthorizationMappingError, denialMessage, resolveRequests } from '../../../rehearsal/iam/authorize';

const P = 'arn:aws:personalize:us-east-1:123456789012';
const GROUP = `${P}:dataset-group/shop`;
const DATASET = `${P}:dataset/shop/INTERACTIONS`;
const TRACKER = `${P}:event-tracker/d2e0162e`;
const ROLE = 'arn:aws:iam::123456789012:role/PersonalizeRole';
const WHO = 'arn:aws:sts::123456789012:assumed-role/HandlerRole/session';
const allow = (Action: string | string[], Resource: string | string[], Condition?: any) =>
  ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, Condition }] });

describe('resolveRequests: the emulator\'s mapping against the reference', () => {
  test('every required resource type must be covered: CreateDataset needs the dataset and the group', () => {
    expect(() => resolveRequests([{ action: 'personalize:CreateDataset', resource: DATASET }], 'personalize:CreateDataset'))
      .toThrow(/personalize:CreateDataset needs datasetGroup \(required by the Service Authorization Reference\); the call's requests cover dataset/);
    expect(() => resolveRequests([{ action: 'personalize:CreateDataset', resource: GROUP }])).toThrow(AuthorizationMappingError);
    const resolved = resolveRequests([
      { action: 'personalize:createdataset', resource: DATASET },
      { action: 'personalize:CreateDataset', resource: GROUP },
    ]);
    expect(resolved.map((r) => [r.action, r.resource, r.resourceType])).toEqual([
      ['personalize:CreateDataset', DATASET, 'dataset'],
      ['personalize:CreateDataset', GROUP, 'datasetGroup'],
    ]);
  });

  test('an ARN of a type the action does not list, when one is required, is a bug; so are unknown actions and no request', () => {
    expect(() => resolveRequests([{ action: 'personalize:DescribeDataset', resource: GROUP }]))
      .toThrow(/personalize:DescribeDataset is authorized against dataset; .*dataset-group\/shop is a datasetGroup/);
    expect(() => resolveRequests([{ action: 'personalize:DescribeDataset', resource: '*' }])).toThrow(/of no resource type/);
    expect(() => resolveRequests([{ action: 'personalize:DescribeEverything', resource: '*' }])).toThrow(/not an action of the Service Authorization Reference/);
    expect(() => resolveRequests([], 'personalize:ListDatasets')).toThrow(/makes no IAM request/);
  });

  test('actions without resource types, and optional types the ARN is none of, are authorized against *', () => {
    const agentcoreDataset = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/evals-0123456789';
    const resolved = resolveRequests([
      { action: 'personalize:ListDatasets', resource: GROUP },
      { action: 'bedrock-agentcore:TagResource', resource: agentcoreDataset },
      { action: 'personalize:TagResource', resource: `${P}:schema/s` },
      { action: 'personalize:TagResource', resource: GROUP },
    ]);
    expect(resolved.map((r) => [r.resource, r.target])).toEqual([
      ['*', GROUP],
      ['*', agentcoreDataset],
      ['*', `${P}:schema/s`],
      [GROUP, GROUP],
    ]);
  });
});

describe('authorize', () => {
  const requests = [
    { action: 'personalize:CreateDatasetImportJob', resource: `${P}:dataset-import-job/j` },
    { action: 'personalize:CreateDatasetImportJob', resource: DATASET },
    { action: 'iam:PassRole', resource: ROLE, context: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
  ];

  test('allowed when every request is; the first refused request names the denial', () => {
    const job = allow('personalize:CreateDatasetImportJob', [`${P}:dataset-import-job/*`, `${P}:dataset/*`]);
    const pass = allow('iam:PassRole', ROLE, { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } });
    expect(authorize(WHO, [job, pass], requests).allowed).toBe(true);
    expect(authorize(WHO, [job], requests).denial).toEqual({
      action: 'iam:PassRole',
      resource: ROLE,
      explicit: false,
      message: `User: ${WHO} is not authorized to perform: iam:PassRole on resource: ${ROLE} because no identity-based policy allows the iam:PassRole action`,
    });
    const onlyJobs = allow('personalize:CreateDatasetImportJob', `${P}:dataset-import-job/*`);
    expect(authorize(WHO, [onlyJobs, pass], requests).denial?.resource).toBe(DATASET);
  });

  test('an explicit deny says so', () => {
    const deny = { Statement: { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' } };
    const result = authorize(WHO, [allow('*', '*'), deny], requests);
    expect(result.denial?.message).toBe(`User: ${WHO} is not authorized to perform: iam:PassRole on resource: ${ROLE} with an explicit deny in an identity-based policy`);
  });

  test('global context keys reach every request; the request\'s own keys win', () => {
    const regional = allow('personalize:ListDatasets', '*', { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } });
    const list = [{ action: 'personalize:ListDatasets', resource: '*' }];
    expect(authorize(WHO, [regional], list, { context: { 'aws:RequestedRegion': 'us-east-1' } }).allowed).toBe(true);
    expect(authorize(WHO, [regional], list, { context: { 'aws:RequestedRegion': 'eu-west-1' } }).allowed).toBe(false);
    expect(authorize(WHO, [regional], [{ ...list[0], context: { 'aws:RequestedRegion': 'us-east-1' } }],
      { context: { 'aws:RequestedRegion': 'eu-west-1' } }).allowed).toBe(true);
  });

  test('denialMessage', () => {
    expect(denialMessage('arn:aws:iam::1:user/u', 'personalize:ListDatasets', '*', false))
      .toBe('User: arn:aws:iam::1:user/u is not authorized to perform: personalize:ListDatasets on resource: * because no identity-based policy allows the personalize:ListDatasets action');
  });
});

describe('every operation of the emulated services maps consistently with the reference', () => {
  const runtime: Runtime = {
    account: '123456789012', delays: {}, limits: {}, inspector: new Inspector(), scheduler: new Scheduler(), faults: new Faults(() => 0), now: Date.now,
  };
  const ctx: CallContext = { region: 'us-east-1', call: { seq: 1, service: 'personalize', operation: 'x', time: 0, requestId: 'r' } };
  const tags = [{ tagKey: 'team', tagValue: 'recs' }];

  const personalizeInputs: Record<string, Record<string, any>> = {
    CreateDatasetGroup: { name: 'shop', roleArn: ROLE, kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k', tags },
    DescribeDatasetGroup: { datasetGroupArn: GROUP },
    DeleteDatasetGroup: { datasetGroupArn: GROUP },
    ListDatasetGroups: {},
    CreateSchema: { name: 's', schema: '{}' },
    DescribeSchema: { schemaArn: `${P}:schema/s` },
    DeleteSchema: { schemaArn: `${P}:schema/s` },
    ListSchemas: {},
    CreateDataset: { name: 'ds', datasetGroupArn: GROUP, schemaArn: `${P}:schema/s`, datasetType: 'Interactions', tags },
    DescribeDataset: { datasetArn: DATASET },
    UpdateDataset: { datasetArn: DATASET, schemaArn: `${P}:schema/s` },
    DeleteDataset: { datasetArn: DATASET },
    ListDatasets: { datasetGroupArn: GROUP },
    CreateDatasetImportJob: { jobName: 'j', datasetArn: DATASET, roleArn: ROLE, dataSource: { dataLocation: 's3://b/k.csv' }, tags },
    DescribeDatasetImportJob: { datasetImportJobArn: `${P}:dataset-import-job/j` },
    ListDatasetImportJobs: { datasetArn: DATASET },
    CreateEventTracker: { name: 'clicks', datasetGroupArn: GROUP, tags },
    DescribeEventTracker: { eventTrackerArn: TRACKER },
    DeleteEventTracker: { eventTrackerArn: TRACKER },
    ListEventTrackers: { datasetGroupArn: GROUP },
    TagResource: { resourceArn: GROUP, tags },
    UntagResource: { resourceArn: GROUP, tagKeys: ['team'] },
    ListTagsForResource: { resourceArn: DATASET },
  };

  test.each([...PERSONALIZE_OPERATIONS])('Personalize %s', (operation) => {
    const service = new PersonalizeService(runtime);
    const requests = service.authorization(operation, personalizeInputs[operation], ctx);
    const resolved = resolveRequests(requests, operation);
    expect(resolved.every((r) => r.action === `personalize:${operation}` || r.action === 'iam:PassRole')).toBe(true);
  });

  test('Personalize: creates name the new resource and its parent, pass the role, and carry the request tags', () => {
    const service = new PersonalizeService(runtime);
    expect(service.authorization('CreateDataset', personalizeInputs.CreateDataset, ctx)).toEqual([
      { action: 'personalize:CreateDataset', resource: DATASET, context: { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'recs' } },
      { action: 'personalize:CreateDataset', resource: GROUP, context: { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'recs' } },
    ]);
    expect(service.authorization('CreateDatasetImportJob', personalizeInputs.CreateDatasetImportJob, ctx).map((r) => [r.action, r.resource, r.context]))
      .toEqual([
        ['personalize:CreateDatasetImportJob', `${P}:dataset-import-job/j`, { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'recs' }],
        ['personalize:CreateDatasetImportJob', DATASET, { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'recs' }],
        ['iam:PassRole', ROLE, { 'iam:PassedToService': 'personalize.amazonaws.com' }],
      ]);
    expect(service.authorization('CreateDatasetGroup', { name: 'g' }, ctx)).toEqual([
      { action: 'personalize:CreateDatasetGroup', resource: `${P}:dataset-group/g`, context: {} },
    ]);
    expect(service.authorization('UntagResource', personalizeInputs.UntagResource, ctx)[0].context).toEqual({ 'aws:TagKeys': ['team'] });
  });

  test('Personalize event trackers: a create on the new tracker (its generated id) and the group; the rest on the tracker; the list on *', () => {
    const service = new PersonalizeService(runtime);
    const tagged = { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'recs' };
    const create = service.authorization('CreateEventTracker', personalizeInputs.CreateEventTracker, ctx);
    expect(create).toEqual([
      { action: 'personalize:CreateEventTracker', resource: expect.stringMatching(new RegExp(`^${P}:event-tracker/[0-9a-f]{8}$`)), context: tagged },
      { action: 'personalize:CreateEventTracker', resource: GROUP, context: tagged },
    ]);
    expect(resolveRequests(create, 'CreateEventTracker').map((r) => r.resourceType)).toEqual(['eventTracker', 'datasetGroup']);
    // The same call is authorized against the same new ARN each time it is asked (the tracker gets that ARN).
    expect(service.authorization('CreateEventTracker', personalizeInputs.CreateEventTracker, ctx)[0].resource).toBe(create[0].resource);
    const otherCall: CallContext = { ...ctx, call: { ...ctx.call, seq: 2 } };
    expect(service.authorization('CreateEventTracker', personalizeInputs.CreateEventTracker, otherCall)[0].resource).not.toBe(create[0].resource);

    for (const operation of ['DescribeEventTracker', 'DeleteEventTracker']) {
      expect(resolveRequests(service.authorization(operation, personalizeInputs[operation], ctx), operation))
        .toEqual([expect.objectContaining({ action: `personalize:${operation}`, resource: TRACKER, resourceType: 'eventTracker' })]);
    }
    expect(resolveRequests(service.authorization('ListEventTrackers', personalizeInputs.ListEventTrackers, ctx))[0].resource).toBe('*');
    expect(resolveRequests(service.authorization('TagResource', { resourceArn: TRACKER, tags }, ctx)))
      .toEqual([expect.objectContaining({ resource: TRACKER, resourceType: 'eventTracker', context: tagged })]);
  });

  test('Personalize: input that cannot name a resource fails as the operation would, before any IAM check', () => {
    const service = new PersonalizeService(runtime);
    const fails = (operation: string, input: object) => {
      try {
        service.authorization(operation, input, ctx);
      } catch (error) {
        return (error as Error).name;
      }
      return 'no error';
    };
    expect(fails('DescribeDataset', { datasetArn: 'not-an-arn' })).toBe('InvalidInputException');
    expect(fails('DescribeDataset', { datasetArn: GROUP })).toBe('ResourceNotFoundException');
    expect(fails('CreateDataset', { ...personalizeInputs.CreateDataset, datasetType: 'Nope' })).toBe('InvalidInputException');
    expect(fails('CreateDatasetImportJob', { ...personalizeInputs.CreateDatasetImportJob, roleArn: 'role' })).toBe('InvalidInputException');
    expect(fails('CreateDatasetImportJob', { ...personalizeInputs.CreateDatasetImportJob, roleArn: undefined })).toBe('InvalidInputException');
    expect(fails('CreateSchema', { name: 'bad name' })).toBe('InvalidInputException');
    expect(fails('CreateEventTracker', { ...personalizeInputs.CreateEventTracker, name: 'bad name' })).toBe('InvalidInputException');
    expect(fails('CreateEventTracker', { ...personalizeInputs.CreateEventTracker, datasetGroupArn: DATASET })).toBe('ResourceNotFoundException');
    expect(fails('DescribeEventTracker', { eventTrackerArn: GROUP })).toBe('ResourceNotFoundException');
  });

  const datasetId = 'evals-0123456789';
  const agentcoreDataset = `arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/${datasetId}`;
  const agentcoreInputs: Record<string, Record<string, any>> = {
    CreateDataset: { datasetName: 'evals', tags: { team: 'evals' }, source: { s3Source: { s3Uri: 's3://bucket/evals/x.jsonl' } } },
    ListDatasets: {},
    GetDataset: { datasetId },
    UpdateDataset: { datasetId, description: 'd' },
    DeleteDataset: { datasetId },
    AddDatasetExamples: { datasetId, source: { inlineExamples: { examples: [] } } },
    UpdateDatasetExamples: { datasetId, examples: [] },
    DeleteDatasetExamples: { datasetId, exampleIds: [] },
    ListDatasetExamples: { datasetId },
    CreateDatasetVersion: { datasetId },
    ListDatasetVersions: { datasetId },
    TagResource: { resourceArn: agentcoreDataset, tags: { team: 'evals' } },
    UntagResource: { resourceArn: agentcoreDataset, tagKeys: ['team'] },
    ListTagsForResource: { resourceArn: agentcoreDataset },
  };

  test.each(Object.keys(agentcoreInputs))('AgentCore %s', (operation) => {
    const service = new AgentCoreService(runtime, { objects: new ObjectStore({}), validateExamples: true });
    const resolved = resolveRequests(service.authorization(operation, agentcoreInputs[operation], ctx), operation);
    const expected = ['CreateDataset', 'ListDatasets', 'TagResource', 'UntagResource', 'ListTagsForResource'].includes(operation) ? '*' : agentcoreDataset;
    expect(resolved[0]).toMatchObject({ action: `bedrock-agentcore:${operation}`, resource: expected });
  });

  test('AgentCore: an s3Source is read with the caller\'s credentials; tags are request tags', () => {
    const service = new AgentCoreService(runtime, { objects: new ObjectStore({}), validateExamples: true });
    expect(service.authorization('CreateDataset', agentcoreInputs.CreateDataset, ctx)).toEqual([
      { action: 'bedrock-agentcore:CreateDataset', resource: '*', context: { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'evals' } },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/evals/x.jsonl' },
    ]);
  });

  test('the routes of the AgentCore emulator are exactly the operations mapped here', () => {
    const service = new AgentCoreService(runtime, { objects: new ObjectStore({}), validateExamples: true });
    const routed = new Set<string>();
    for (const [method, path] of [['POST', '/datasets'], ['GET', '/datasets'], ['GET', '/datasets/d'], ['PUT', '/datasets/d'],
      ['DELETE', '/datasets/d'], ['POST', '/datasets/d/examples/add'], ['POST', '/datasets/d/examples/update'],
      ['POST', '/datasets/d/examples/delete'], ['GET', '/datasets/d/examples'], ['POST', '/datasets/d/versions'],
      ['GET', '/datasets/d/versions'], ['POST', '/tags/a'], ['DELETE', '/tags/a'], ['GET', '/tags/a']]) {
      routed.add(service.route(method, path, new URLSearchParams(), {})!.operation);
    }
    expect([...routed].sort()).toEqual(Object.keys(agentcoreInputs).sort());
  });
});
