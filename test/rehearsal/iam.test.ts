/**
 * The emulator authorizes every call as IAM would, driven by the real SDK clients: a call signed
 * with a known principal's access key is checked against that principal's identity-based policies
 * (read at each call) before it runs; a denied call gets the service's own AccessDenied.
 */
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as p from '@aws-sdk/client-personalize';
import { Emulator, EmulatedPrincipal, PolicyDocument, startEmulator } from '../../rehearsal/emulator';
import { errorOf, INTERACTIONS_SCHEMA as SCHEMA, REGION, useEmulator } from '../support/emulator';

const ACCOUNT = '123456789012';
const P = `arn:aws:personalize:${REGION}:${ACCOUNT}`;
const HANDLER = `arn:aws:sts::${ACCOUNT}:assumed-role/HandlerRole/handler-session`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/PersonalizeImportRole`;
const S3_URI = 's3://evals-bucket/evals/checkout.jsonl';
const EXAMPLE = { scenario_id: 's1', turns: [{ input: 'hi' }] };

/** The handler's policies, changed by each test; the principal reads them at every call. */
let policies: PolicyDocument[] = [];
const handlerPrincipal: EmulatedPrincipal = { arn: HANDLER, policies: () => policies };

let emu: Emulator;
/** Signed with an access key the resolver does not know: unchecked (the test's own inspection client). */
let admin: p.PersonalizeClient;
let adminAc: ac.BedrockAgentCoreControlClient;
/** Signed as the handler: checked. */
let personalize: p.PersonalizeClient;
let agentcore: ac.BedrockAgentCoreControlClient;

const statement = (Effect: 'Allow' | 'Deny', Action: string | string[], Resource: string | string[], Condition?: object) =>
  ({ Effect, Action, Resource, ...(Condition ? { Condition } : {}) });
const policy = (...Statement: object[]): PolicyDocument => ({ Version: '2012-10-17', Statement: Statement as any });

useEmulator({
  delays: { step: 5 },
  s3: { [S3_URI]: JSON.stringify(EXAMPLE) },
  principals: (accessKeyId) => (accessKeyId === 'AKIAHANDLER' ? handlerPrincipal : undefined),
}, (started) => {
  emu = started.emu;
  const client = <T extends p.PersonalizeClient | ac.BedrockAgentCoreControlClient>(C: new (config: any) => T, accessKeyId: string) =>
    started.client(C, { accessKeyId, secretAccessKey: 's' });
  admin = client(p.PersonalizeClient, 'AKIAADMIN');
  adminAc = client(ac.BedrockAgentCoreControlClient, 'AKIAADMIN');
  personalize = client(p.PersonalizeClient, 'AKIAHANDLER');
  agentcore = client(ac.BedrockAgentCoreControlClient, 'AKIAHANDLER');
});

afterEach(() => {
  policies = [];
});

const denial = (action: string, resource: string) =>
  `User: ${HANDLER} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

/** An ACTIVE group and a schema, made by the unchecked client. */
async function groupAndSchema(): Promise<{ groupArn: string; schemaArn: string }> {
  const { datasetGroupArn } = await admin.send(new p.CreateDatasetGroupCommand({ name: 'shop' }));
  await emu.waitFor(datasetGroupArn!, 'ACTIVE');
  const { schemaArn } = await admin.send(new p.CreateSchemaCommand({ name: 'schema', schema: SCHEMA }));
  return { groupArn: datasetGroupArn!, schemaArn: schemaArn! };
}

describe('Personalize', () => {
  test('CreateDataset needs the dataset and its dataset group: AccessDeniedException (400) names what is missing', async () => {
    const { groupArn, schemaArn } = await groupAndSchema();
    const create = () => personalize.send(new p.CreateDatasetCommand({ name: 'ds', datasetGroupArn: groupArn, schemaArn, datasetType: 'Interactions' }));
    const datasetArn = `${P}:dataset/shop/INTERACTIONS`;

    policies = [policy(statement('Allow', 'personalize:CreateDataset', `${P}:dataset/*`))];
    let error = await errorOf(create());
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(denial('personalize:CreateDataset', groupArn));

    policies = [policy(statement('Allow', 'personalize:CreateDataset', `${P}:dataset-group/*`))];
    error = await errorOf(create());
    expect(error.message).toBe(denial('personalize:CreateDataset', datasetArn));
    expect(emu.resources({ type: 'dataset' })).toEqual([]); // nothing ran

    policies = [policy(statement('Allow', 'personalize:CreateDataset', [`${P}:dataset/*`, `${P}:dataset-group/*`]))];
    expect((await create()).datasetArn).toBe(datasetArn);
  });

  test('PassRole needs iam:PassedToService personalize.amazonaws.com', async () => {
    const { groupArn, schemaArn } = await groupAndSchema();
    const { datasetArn } = await admin.send(new p.CreateDatasetCommand({ name: 'ds', datasetGroupArn: groupArn, schemaArn, datasetType: 'Interactions' }));
    await emu.waitFor(datasetArn!, 'ACTIVE');
    const importJob = (jobName: string) => personalize.send(new p.CreateDatasetImportJobCommand({
      jobName, datasetArn, roleArn: ROLE, dataSource: { dataLocation: 's3://data/interactions.csv' },
    }));
    const jobs = statement('Allow', 'personalize:CreateDatasetImportJob', [`${P}:dataset-import-job/*`, `${P}:dataset/*`]);

    policies = [policy(jobs)];
    expect((await errorOf(importJob('j1'))).message).toBe(denial('iam:PassRole', ROLE));

    policies = [policy(jobs, statement('Allow', 'iam:PassRole', ROLE, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }))];
    expect((await errorOf(importJob('j2'))).message).toBe(denial('iam:PassRole', ROLE));

    policies = [policy(jobs, statement('Allow', 'iam:PassRole', ROLE, { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } }))];
    expect((await importJob('j3')).datasetImportJobArn).toBe(`${P}:dataset-import-job/j3`);
  });

  test('an explicit Deny wins over an Allow of everything, and says so', async () => {
    const { groupArn } = await groupAndSchema();
    policies = [policy(statement('Allow', '*', '*')), policy(statement('Deny', 'personalize:Delete*', `${P}:dataset-group/*`))];
    await personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: groupArn }));
    const error = await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn })));
    expect(error.message).toBe(`User: ${HANDLER} is not authorized to perform: personalize:DeleteDatasetGroup on resource: ${groupArn} ` +
      'with an explicit deny in an identity-based policy');
    expect(emu.resource(groupArn)!.status).toBe('ACTIVE');
  });

  test('request tags are condition keys: aws:RequestTag/<key> and aws:TagKeys', async () => {
    policies = [policy(statement('Allow', 'personalize:CreateDatasetGroup', '*', {
      'StringEquals': { 'aws:RequestTag/team': 'recs' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center'] },
    }))];
    const create = (name: string, tags: p.Tag[]) => personalize.send(new p.CreateDatasetGroupCommand({ name, tags }));
    await create('g1', [{ tagKey: 'team', tagValue: 'recs' }]);
    expect((await errorOf(create('g2', [{ tagKey: 'team', tagValue: 'ads' }]))).name).toBe('AccessDeniedException');
    expect((await errorOf(create('g3', [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: 'owner', tagValue: 'me' }]))).name).toBe('AccessDeniedException');
    expect((await errorOf(create('g4', []))).name).toBe('AccessDeniedException'); // no aws:RequestTag/team
  });

  test('List actions have no resource: only a statement on * allows them', async () => {
    policies = [policy(statement('Allow', 'personalize:List*', `${P}:*`))];
    expect((await errorOf(personalize.send(new p.ListDatasetGroupsCommand({})))).message).toBe(denial('personalize:ListDatasetGroups', '*'));
    policies = [policy(statement('Allow', 'personalize:List*', '*'))];
    await personalize.send(new p.ListDatasetGroupsCommand({}));
  });

  test('input that cannot name a resource fails validation first, as AWS validates before it authorizes', async () => {
    const error = await errorOf(personalize.send(new p.DescribeDatasetCommand({ datasetArn: 'not-an-arn' })));
    expect(error.name).toBe('InvalidInputException');
    expect(emu.authorization()).toEqual({ checked: 0, denied: 0, denials: [] });
  });
});

describe('AgentCore', () => {
  test('AccessDeniedException (403); CreateDataset needs *, dataset operations the dataset ARN', async () => {
    const datasets = `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:dataset/*`;
    policies = [policy(statement('Allow', 'bedrock-agentcore:*', datasets))];
    const create = () => agentcore.send(new ac.CreateDatasetCommand({
      datasetName: 'evals', schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { inlineExamples: { examples: [EXAMPLE as any] } },
    }));
    const error = await errorOf(create());
    expect(error).toBeInstanceOf(ac.AccessDeniedException);
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(denial('bedrock-agentcore:CreateDataset', '*'));

    policies = [policy(statement('Allow', 'bedrock-agentcore:*', datasets), statement('Allow', 'bedrock-agentcore:CreateDataset', '*'))];
    const { datasetId, datasetArn } = await create();
    await agentcore.send(new ac.GetDatasetCommand({ datasetId }));

    policies = [policy(statement('Allow', 'bedrock-agentcore:GetDataset', `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:dataset/other-*`))];
    expect((await errorOf(agentcore.send(new ac.GetDatasetCommand({ datasetId })))).message).toBe(denial('bedrock-agentcore:GetDataset', datasetArn!));
  });

  test('TagResource on a dataset: the reference lists no dataset type for it, so it needs a statement on *', async () => {
    const { datasetArn } = await adminAc.send(new ac.CreateDatasetCommand({
      datasetName: 'evals', schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { inlineExamples: { examples: [EXAMPLE as any] } },
    }));
    policies = [policy(statement('Allow', 'bedrock-agentcore:TagResource', `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:dataset/*`))];
    const tag = () => agentcore.send(new ac.TagResourceCommand({ resourceArn: datasetArn, tags: { team: 'evals' } }));
    expect((await errorOf(tag())).message).toBe(denial('bedrock-agentcore:TagResource', '*'));
    policies = [policy(statement('Allow', 'bedrock-agentcore:TagResource', '*'))];
    await tag();
  });

  test('an s3Source is read with the caller\'s credentials: s3:GetObject on the file', async () => {
    policies = [policy(statement('Allow', 'bedrock-agentcore:CreateDataset', '*'))];
    const create = (datasetName: string) => agentcore.send(new ac.CreateDatasetCommand({
      datasetName, schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { s3Source: { s3Uri: S3_URI } },
    }));
    expect((await errorOf(create('a'))).message).toBe(denial('s3:GetObject', 'arn:aws:s3:::evals-bucket/evals/checkout.jsonl'));
    policies = [policy(statement('Allow', 'bedrock-agentcore:CreateDataset', '*'), statement('Allow', 's3:GetObject', 'arn:aws:s3:::evals-bucket/evals/*'))];
    await create('b');
  });
});

describe('the check itself', () => {
  test('unknown access keys are not checked; counters count checked and denied calls; the call log marks denials', async () => {
    policies = [policy(statement('Allow', 'personalize:ListDatasetGroups', '*'))];
    await admin.send(new p.CreateDatasetGroupCommand({ name: 'unchecked' }));
    await personalize.send(new p.ListDatasetGroupsCommand({}));
    await errorOf(personalize.send(new p.ListSchemasCommand({})));
    await errorOf(agentcore.send(new ac.ListDatasetsCommand({})));

    expect(emu.authorization()).toEqual({
      checked: 3,
      denied: 2,
      denials: [
        { operation: 'ListSchemas', action: 'personalize:ListSchemas', resource: '*', principal: HANDLER },
        { operation: 'ListDatasets', action: 'bedrock-agentcore:ListDatasets', resource: '*', principal: HANDLER },
      ],
    });
    const calls = emu.calls().map(({ operation, checked, denied, error, httpStatus }) => ({ operation, checked, denied, error, httpStatus }));
    expect(calls).toEqual([
      { operation: 'CreateDatasetGroup', checked: undefined, denied: undefined, error: undefined, httpStatus: 200 },
      { operation: 'ListDatasetGroups', checked: true, denied: undefined, error: undefined, httpStatus: 200 },
      { operation: 'ListSchemas', checked: true, denied: { action: 'personalize:ListSchemas', resource: '*' }, error: 'AccessDeniedException', httpStatus: 400 },
      { operation: 'ListDatasets', checked: true, denied: { action: 'bedrock-agentcore:ListDatasets', resource: '*' }, error: 'AccessDeniedException', httpStatus: 403 },
    ]);
    emu.reset();
    expect(emu.authorization()).toEqual({ checked: 0, denied: 0, denials: [] });
  });

  test('policies are read at each call: a change applies to the next call', async () => {
    await errorOf(personalize.send(new p.ListSchemasCommand({})));
    policies = [policy(statement('Allow', 'personalize:ListSchemas', '*'))];
    await personalize.send(new p.ListSchemasCommand({}));
    expect(emu.authorization()).toMatchObject({ checked: 2, denied: 1 });
  });

  test('the check comes before request faults: a denied call does not use up a throttle', async () => {
    emu.faults.add({ operation: 'ListSchemas', kind: 'throttle', times: 1 });
    expect((await errorOf(personalize.send(new p.ListSchemasCommand({})))).name).toBe('AccessDeniedException');
    policies = [policy(statement('Allow', 'personalize:ListSchemas', '*'))];
    expect((await errorOf(personalize.send(new p.ListSchemasCommand({})))).name).toBe('ThrottlingException');
    await personalize.send(new p.ListSchemasCommand({}));
  });

  test('without principals nothing is checked', async () => {
    const open = await startEmulator();
    const client = new p.PersonalizeClient({ endpoint: open.url, region: REGION, credentials: { accessKeyId: 'AKIAHANDLER', secretAccessKey: 's' } });
    try {
      await client.send(new p.ListSchemasCommand({}));
      expect(open.authorization()).toEqual({ checked: 0, denied: 0, denials: [] });
    } finally {
      client.destroy();
      await open.close();
    }
  });

  test('a policy the evaluator cannot decide fails the call loudly (500, naming the problem)', async () => {
    policies = [policy(statement('Allow', 'personalize:ListSchemas', '*', { DateLessThan: { 'aws:CurrentTime': '2100-01-01T00:00:00Z' } }))];
    const error = await errorOf(personalize.send(new p.ListSchemasCommand({})));
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.message).toMatch(/DateLessThan is not supported/);
  });
});
