/**
 * The emulator, driven by the real SDK v3 clients through an endpoint override: every operation,
 * documented error, status transition and fault kind, as the SDK parses them.
 */
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as p from '@aws-sdk/client-personalize';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Emulator, startEmulator } from '../../rehearsal/emulator';
import { CREDENTIALS as credentials, errorOf, INTERACTIONS_SCHEMA as SCHEMA, REGION, useEmulator } from '../support/emulator';

const ACCOUNT = '123456789012';
const S3_URI = 's3://bucket/examples.jsonl';
const example = (n: number) => ({ scenario_id: `TC-${n}`, turns: [{ input: `question ${n}` }] });

let emu: Emulator;
let personalize: p.PersonalizeClient;
let agentcore: ac.BedrockAgentCoreControlClient;

// Every response of every test is checked against the SDK's model; a departure fails the test.
useEmulator({
  // Long enough that a describe every few ms sees each status even on a loaded 2-core machine
  // (at 40 ms, a load of 7 still missed CREATE PENDING).
  delays: { step: 100 },
  s3: { [S3_URI]: `${JSON.stringify(example(1))}\n\n${JSON.stringify(example(2))}\n` },
  checkModel: true,
}, (started) => {
  emu = started.emu;
  personalize = started.client(p.PersonalizeClient);
  agentcore = started.client(ac.BedrockAgentCoreControlClient);
});

/** Polls `read` until it returns `final`; returns every distinct value seen, in order. */
async function statusesUntil(read: () => Promise<string | undefined>, final: string, timeoutMs = 3000): Promise<string[]> {
  const seen: string[] = [];
  const started = Date.now();
  for (;;) {
    const status = (await read()) ?? 'GONE';
    if (seen[seen.length - 1] !== status) seen.push(status);
    if (status === final) return seen;
    if (Date.now() - started > timeoutMs) throw new Error(`never reached ${final}; saw ${seen.join(' > ')}`);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

// ---- Personalize helpers ----

async function activeGroup(name = 'group', domain?: 'ECOMMERCE'): Promise<string> {
  const { datasetGroupArn } = await personalize.send(new p.CreateDatasetGroupCommand({ name, domain }));
  await emu.waitFor(datasetGroupArn!, 'ACTIVE');
  return datasetGroupArn!;
}

async function schema(name = 'schema', domain?: 'ECOMMERCE'): Promise<string> {
  return (await personalize.send(new p.CreateSchemaCommand({ name, schema: SCHEMA, domain }))).schemaArn!;
}

async function activeDataset(groupArn: string, schemaArn: string, datasetType = 'Interactions', name = 'ds'): Promise<string> {
  const { datasetArn } = await personalize.send(new p.CreateDatasetCommand({ name, datasetGroupArn: groupArn, schemaArn, datasetType }));
  await emu.waitFor(datasetArn!, 'ACTIVE');
  return datasetArn!;
}

const describeGroup = async (arn: string) => {
  try {
    return (await personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: arn }))).datasetGroup?.status;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
};

// ---- AgentCore helpers ----

async function activeEvalDataset(datasetName = 'evals', examples: object[] = [example(1)]): Promise<ac.CreateDatasetCommandOutput> {
  const created = await agentcore.send(new ac.CreateDatasetCommand({
    datasetName, schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { inlineExamples: { examples: examples as any } },
  }));
  await emu.waitFor(created.datasetId!, 'ACTIVE');
  return created;
}

const addExamples = (datasetId: string | undefined, examples: object[]) =>
  agentcore.send(new ac.AddDatasetExamplesCommand({ datasetId, source: { inlineExamples: { examples: examples as any } } }));

const getStatus = async (datasetId: string) => {
  try {
    return (await agentcore.send(new ac.GetDatasetCommand({ datasetId }))).status;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
};

async function listAllExamples(datasetId: string, datasetVersion?: string): Promise<any[]> {
  const all: any[] = [];
  for await (const page of ac.paginateListDatasetExamples({ client: agentcore, pageSize: 400 }, { datasetId, datasetVersion })) {
    all.push(...page.examples!);
  }
  return all;
}

describe('Personalize dataset groups', () => {
  test('create goes CREATE PENDING > CREATE IN_PROGRESS > ACTIVE, with its details, tags and ARN', async () => {
    emu.faults.add({ kind: 'slow', operation: 'CreateDatasetGroup', delayMs: 400 });
    const created = await personalize.send(new p.CreateDatasetGroupCommand({
      name: 'shop', domain: 'ECOMMERCE', tags: [{ tagKey: 'team', tagValue: 'recs' }],
    }));
    expect(created).toMatchObject({ datasetGroupArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/shop`, domain: 'ECOMMERCE' });

    const seen = await statusesUntil(() => describeGroup(created.datasetGroupArn!), 'ACTIVE');
    expect(seen).toEqual(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE']);

    const { datasetGroup } = await personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: created.datasetGroupArn }));
    expect(datasetGroup).toMatchObject({ name: 'shop', status: 'ACTIVE', domain: 'ECOMMERCE' });
    expect(datasetGroup!.creationDateTime).toBeInstanceOf(Date);
    expect(datasetGroup!.lastUpdatedDateTime!.getTime()).toBeGreaterThan(datasetGroup!.creationDateTime!.getTime());
    const { tags } = await personalize.send(new p.ListTagsForResourceCommand({ resourceArn: created.datasetGroupArn }));
    expect(tags).toEqual([{ tagKey: 'team', tagValue: 'recs' }]);
  });

  test('ARNs use the region the client signs with', async () => {
    const other = new p.PersonalizeClient({ endpoint: emu.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
    const { datasetGroupArn } = await other.send(new p.CreateDatasetGroupCommand({ name: 'eu' }));
    other.destroy();
    expect(datasetGroupArn).toBe(`arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-group/eu`);
  });

  test('ListDatasetGroups pages with maxResults and nextToken', async () => {
    for (const name of ['a', 'b', 'c']) await personalize.send(new p.CreateDatasetGroupCommand({ name }));
    const first = await personalize.send(new p.ListDatasetGroupsCommand({ maxResults: 2 }));
    expect(first.datasetGroups!.map((g) => g.name)).toEqual(['a', 'b']);
    // Any status of the way to ACTIVE: with 10 ms steps, a loaded machine may already be past PENDING.
    expect(first.datasetGroups![0]).toMatchObject({
      status: expect.stringMatching(/^(CREATE PENDING|CREATE IN_PROGRESS|ACTIVE)$/),
      datasetGroupArn: expect.stringContaining('dataset-group/a'),
    });
    const second = await personalize.send(new p.ListDatasetGroupsCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.datasetGroups!.map((g) => g.name)).toEqual(['c']);
    expect(second.nextToken).toBeUndefined();

    const bad = await errorOf(personalize.send(new p.ListDatasetGroupsCommand({ nextToken: 'garbage' })));
    expect(bad).toBeInstanceOf(p.InvalidNextTokenException);
  });

  test('creation errors: name taken, bad name, unknown domain, KMS key without role, too many tags', async () => {
    await personalize.send(new p.CreateDatasetGroupCommand({ name: 'taken' }));
    expect(await errorOf(personalize.send(new p.CreateDatasetGroupCommand({ name: 'taken' }))))
      .toBeInstanceOf(p.ResourceAlreadyExistsException);
    for (const name of ['-starts-with-dash', 'has space', 'x'.repeat(64), '']) {
      const error = await errorOf(personalize.send(new p.CreateDatasetGroupCommand({ name })));
      expect(error).toBeInstanceOf(p.InvalidInputException);
      expect(error.name).toBe('InvalidInputException');
    }
    expect((await errorOf(personalize.send(new p.CreateDatasetGroupCommand({ name: 'ok', domain: 'RETAIL' as any })))).name)
      .toBe('InvalidInputException');
    expect((await errorOf(personalize.send(new p.CreateDatasetGroupCommand({ name: 'ok', kmsKeyArn: 'arn:aws:kms:us-east-1:1:key/k' })))).name)
      .toBe('InvalidInputException');
    const tags = Array.from({ length: 51 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }));
    expect(await errorOf(personalize.send(new p.CreateDatasetGroupCommand({ name: 'ok', tags })))).toBeInstanceOf(p.TooManyTagsException);
    expect(emu.resources({ service: 'personalize' }).map((r) => r.name)).toEqual(['taken']);
  });

  test('describe: unknown ARN is ResourceNotFoundException, malformed ARN is InvalidInputException', async () => {
    const missing = await errorOf(personalize.send(new p.DescribeDatasetGroupCommand({
      datasetGroupArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/nope`,
    })));
    expect(missing).toBeInstanceOf(p.ResourceNotFoundException);
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect(missing.message).toContain('dataset-group/nope');
    expect((await errorOf(personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: 'not-an-arn' })))).name)
      .toBe('InvalidInputException');
  });

  test('delete goes DELETE PENDING > DELETE IN_PROGRESS > gone; refused while creating, deleting or holding datasets', async () => {
    const { datasetGroupArn } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'g' }));
    const creating = await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn })));
    expect(creating).toBeInstanceOf(p.ResourceInUseException);
    expect(creating.message).toContain('CREATE PENDING');
    await emu.waitFor(datasetGroupArn!, 'ACTIVE');

    const datasetArn = await activeDataset(datasetGroupArn!, await schema());
    const full = await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn })));
    expect(full).toBeInstanceOf(p.ResourceInUseException);
    expect(full.message).toContain(datasetArn);
    await personalize.send(new p.DeleteDatasetCommand({ datasetArn }));
    await emu.waitFor(datasetArn, 'DELETED');

    emu.faults.add({ kind: 'slow', operation: 'DeleteDatasetGroup', delayMs: 400 });
    await personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn }));
    expect((await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn })))).name).toBe('ResourceInUseException');
    const seen = await statusesUntil(() => describeGroup(datasetGroupArn!), 'GONE');
    expect(seen).toEqual(['DELETE PENDING', 'DELETE IN_PROGRESS', 'GONE']);
    expect(emu.resource(datasetGroupArn!)).toMatchObject({ status: 'DELETED', deletedAt: expect.any(Number) });
  });

  test('CREATE FAILED with the fault reason, for names matching a pattern only', async () => {
    emu.faults.add({ kind: 'fail', service: 'personalize', resource: /^bad-/, reason: 'KMS key not usable' });
    const { datasetGroupArn: bad } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'bad-one' }));
    const { datasetGroupArn: good } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'good-one' }));
    await emu.waitFor(bad!, 'CREATE FAILED');
    await emu.waitFor(good!, 'ACTIVE');
    const { datasetGroup } = await personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: bad }));
    expect(datasetGroup).toMatchObject({ status: 'CREATE FAILED', failureReason: 'KMS key not usable' });
    // A failed group can be deleted.
    await personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: bad }));
    await emu.waitFor(bad!, 'DELETED');
  });

  test('quotas: LimitExceededException (Personalize), ServiceQuotaExceededException (AgentCore)', async () => {
    const limited = await startEmulator({ limits: { datasetGroups: 1, schemas: 1, evaluationDatasets: 1 }, checkModel: true });
    const client = new p.PersonalizeClient({ endpoint: limited.url, region: REGION, credentials, maxAttempts: 1 });
    const acClient = new ac.BedrockAgentCoreControlClient({ endpoint: limited.url, region: REGION, credentials, maxAttempts: 1 });
    try {
      await client.send(new p.CreateDatasetGroupCommand({ name: 'one' }));
      expect(await errorOf(client.send(new p.CreateDatasetGroupCommand({ name: 'two' })))).toBeInstanceOf(p.LimitExceededException);
      await client.send(new p.CreateSchemaCommand({ name: 's1', schema: SCHEMA }));
      expect((await errorOf(client.send(new p.CreateSchemaCommand({ name: 's2', schema: SCHEMA })))).name).toBe('LimitExceededException');
      const create = (datasetName: string) => acClient.send(new ac.CreateDatasetCommand({
        datasetName, schemaType: 'THIRD_PARTY_EVALUATION_V1', source: { inlineExamples: { examples: [{}] } },
      }));
      await create('one');
      const quota = await errorOf(create('two'));
      expect(quota).toBeInstanceOf(ac.ServiceQuotaExceededException);
      expect(quota.$metadata.httpStatusCode).toBe(402);
    } finally {
      client.destroy();
      acClient.destroy();
      await limited.close();
    }
  });
});

describe('Personalize schemas', () => {
  test('create is synchronous; describe, list, delete', async () => {
    const schemaArn = await schema('interactions', 'ECOMMERCE');
    expect(schemaArn).toBe(`arn:aws:personalize:${REGION}:${ACCOUNT}:schema/interactions`);
    const described = await personalize.send(new p.DescribeSchemaCommand({ schemaArn }));
    expect(described.schema).toMatchObject({ name: 'interactions', schemaArn, schema: SCHEMA, domain: 'ECOMMERCE' });
    expect(described.schema).not.toHaveProperty('status');
    expect(emu.resource(schemaArn)).toMatchObject({ status: 'ACTIVE', activeAt: expect.any(Number) });

    await schema('second');
    const listed = await personalize.send(new p.ListSchemasCommand({ maxResults: 1 }));
    expect(listed.schemas!.map((s) => s.name)).toEqual(['interactions']);
    const rest = await personalize.send(new p.ListSchemasCommand({ nextToken: listed.nextToken }));
    expect(rest.schemas!.map((s) => s.name)).toEqual(['second']);

    await personalize.send(new p.DeleteSchemaCommand({ schemaArn }));
    expect(await errorOf(personalize.send(new p.DescribeSchemaCommand({ schemaArn })))).toBeInstanceOf(p.ResourceNotFoundException);
  });

  test('errors: name taken, invalid schema, unknown domain, in use by a dataset', async () => {
    const schemaArn = await schema('s');
    expect((await errorOf(schema('s'))).name).toBe('ResourceAlreadyExistsException');
    expect((await errorOf(personalize.send(new p.CreateSchemaCommand({ name: 'x', schema: '{"type":"enum"}' })))).name)
      .toBe('InvalidInputException');
    expect((await errorOf(personalize.send(new p.CreateSchemaCommand({ name: 'x', schema: 'not json' })))).name)
      .toBe('InvalidInputException');
    expect((await errorOf(personalize.send(new p.CreateSchemaCommand({ name: 'x', schema: SCHEMA, domain: 'NEWS' as any })))).name)
      .toBe('InvalidInputException');
    await activeDataset(await activeGroup(), schemaArn);
    expect(await errorOf(personalize.send(new p.DeleteSchemaCommand({ schemaArn })))).toBeInstanceOf(p.ResourceInUseException);
  });
});

describe('Personalize datasets', () => {
  test('create goes CREATE PENDING > CREATE IN_PROGRESS > ACTIVE; ARN names group and type; type is case-insensitive', async () => {
    const groupArn = await activeGroup('retail');
    const schemaArn = await schema();
    const { datasetArn } = await personalize.send(new p.CreateDatasetCommand({
      name: 'events', datasetGroupArn: groupArn, schemaArn, datasetType: 'interactions', tags: [{ tagKey: 'a', tagValue: 'b' }],
    }));
    expect(datasetArn).toBe(`arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/INTERACTIONS`);
    await emu.waitFor(datasetArn!, 'ACTIVE');
    expect(emu.resource(datasetArn!)!.history.map((h) => h.status)).toEqual(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE']);
    const { dataset } = await personalize.send(new p.DescribeDatasetCommand({ datasetArn }));
    expect(dataset).toMatchObject({ name: 'events', datasetGroupArn: groupArn, datasetType: 'INTERACTIONS', schemaArn, status: 'ACTIVE' });
    expect(dataset!.latestDatasetUpdate).toBeUndefined();

    await activeDataset(groupArn, await schema('items'), 'Items', 'catalog');
    const otherGroup = await activeGroup('other');
    await activeDataset(otherGroup, schemaArn, 'Users', 'people');
    const listed = await personalize.send(new p.ListDatasetsCommand({ datasetGroupArn: groupArn }));
    expect(listed.datasets!.map((d) => [d.name, d.datasetType, d.status])).toEqual([['events', 'INTERACTIONS', 'ACTIVE'], ['catalog', 'ITEMS', 'ACTIVE']]);
    expect((await personalize.send(new p.ListDatasetsCommand({}))).datasets).toHaveLength(3);
  });

  test('errors: same type twice, same name, unknown type, domain mismatch, group not ACTIVE, unknown group or schema', async () => {
    const groupArn = await activeGroup();
    const schemaArn = await schema();
    await activeDataset(groupArn, schemaArn, 'Interactions', 'first');
    const create = (input: Partial<p.CreateDatasetCommandInput>) => errorOf(personalize.send(new p.CreateDatasetCommand({
      name: 'second', datasetGroupArn: groupArn, schemaArn, datasetType: 'Items', ...input,
    })));
    expect(await create({ datasetType: 'INTERACTIONS' })).toBeInstanceOf(p.ResourceAlreadyExistsException);
    expect((await create({ name: 'first' })).name).toBe('ResourceAlreadyExistsException');
    expect((await create({ datasetType: 'Clicks' })).name).toBe('InvalidInputException');
    expect((await create({ schemaArn: await schema('ecommerce', 'ECOMMERCE') })).name).toBe('InvalidInputException');
    const { datasetGroupArn: pending } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'pending' }));
    expect((await create({ datasetGroupArn: pending })).name).toBe('ResourceInUseException');
    expect((await create({ datasetGroupArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/none` })).name)
      .toBe('ResourceNotFoundException');
    expect((await create({ schemaArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:schema/none` })).name).toBe('ResourceNotFoundException');
  });

  test('UpdateDataset: latestDatasetUpdate UPDATE PENDING > UPDATE IN_PROGRESS > ACTIVE, then the new schema', async () => {
    const groupArn = await activeGroup();
    const oldSchema = await schema('v1');
    const newSchema = await schema('v2');
    const datasetArn = await activeDataset(groupArn, oldSchema, 'Items');
    emu.faults.add({ kind: 'slow', operation: 'UpdateDataset', delayMs: 400 });
    expect(await personalize.send(new p.UpdateDatasetCommand({ datasetArn, schemaArn: newSchema }))).toMatchObject({ datasetArn });
    const seen = await statusesUntil(async () => {
      const { dataset } = await personalize.send(new p.DescribeDatasetCommand({ datasetArn }));
      expect(dataset!.status).toBe('ACTIVE'); // the dataset stays ACTIVE; the update has its own status
      return dataset!.latestDatasetUpdate?.status;
    }, 'ACTIVE');
    expect(seen).toEqual(['UPDATE PENDING', 'UPDATE IN_PROGRESS', 'ACTIVE']);
    const { dataset } = await personalize.send(new p.DescribeDatasetCommand({ datasetArn }));
    expect(dataset).toMatchObject({ schemaArn: newSchema, latestDatasetUpdate: { schemaArn: newSchema, status: 'ACTIVE' } });
    // The old schema is free again.
    await personalize.send(new p.DeleteSchemaCommand({ schemaArn: oldSchema }));
  });

  test('UpdateDataset errors: only Items and Users, one update at a time, UPDATE FAILED with the fault reason', async () => {
    const groupArn = await activeGroup();
    const schemaArn = await schema();
    const interactions = await activeDataset(groupArn, schemaArn, 'Interactions', 'events');
    expect(await errorOf(personalize.send(new p.UpdateDatasetCommand({ datasetArn: interactions, schemaArn }))))
      .toBeInstanceOf(p.InvalidInputException);

    const users = await activeDataset(groupArn, schemaArn, 'Users', 'people');
    emu.faults.add({ kind: 'fail', operation: 'UpdateDataset', reason: 'Field USER_ID removed', times: 1 });
    await personalize.send(new p.UpdateDatasetCommand({ datasetArn: users, schemaArn }));
    expect((await errorOf(personalize.send(new p.UpdateDatasetCommand({ datasetArn: users, schemaArn })))).name).toBe('ResourceInUseException');
    await emu.waitFor(users, 'UPDATE FAILED');
    const { dataset } = await personalize.send(new p.DescribeDatasetCommand({ datasetArn: users }));
    expect(dataset!.latestDatasetUpdate).toMatchObject({ status: 'UPDATE FAILED', failureReason: 'Field USER_ID removed' });
    // After a failed update, another may be made.
    await personalize.send(new p.UpdateDatasetCommand({ datasetArn: users, schemaArn }));
    await emu.waitFor(users, 'ACTIVE');
  });

  test('delete: refused while an import job runs, then DELETE PENDING > gone, taking its import jobs', async () => {
    const datasetArn = await activeDataset(await activeGroup(), await schema());
    const { datasetImportJobArn } = await personalize.send(new p.CreateDatasetImportJobCommand({
      jobName: 'load', datasetArn, dataSource: { dataLocation: 's3://bucket/data.csv' }, roleArn: 'arn:aws:iam::1:role/r',
    }));
    const busy = await errorOf(personalize.send(new p.DeleteDatasetCommand({ datasetArn })));
    expect(busy).toBeInstanceOf(p.ResourceInUseException);
    expect(busy.message).toContain('import job');
    await emu.waitFor(datasetImportJobArn!, 'ACTIVE');
    await personalize.send(new p.DeleteDatasetCommand({ datasetArn }));
    const { dataset } = await personalize.send(new p.DescribeDatasetCommand({ datasetArn }));
    expect(dataset!.status).toBe('DELETE PENDING');
    await emu.waitFor(datasetArn, 'DELETED');
    expect((await errorOf(personalize.send(new p.DescribeDatasetCommand({ datasetArn })))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(personalize.send(new p.DescribeDatasetImportJobCommand({ datasetImportJobArn })))).name)
      .toBe('ResourceNotFoundException');
  });
});

describe('Personalize dataset import jobs', () => {
  test('CREATE PENDING > CREATE IN_PROGRESS > ACTIVE; describe and list', async () => {
    const datasetArn = await activeDataset(await activeGroup(), await schema());
    const { datasetImportJobArn } = await personalize.send(new p.CreateDatasetImportJobCommand({
      jobName: 'load', datasetArn, dataSource: { dataLocation: 's3://bucket/data.csv' }, importMode: 'INCREMENTAL',
    }));
    expect(datasetImportJobArn).toBe(`arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-import-job/load`);
    await emu.waitFor(datasetImportJobArn!, 'ACTIVE');
    expect(emu.resource(datasetImportJobArn!)!.history.map((h) => h.status)).toEqual(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE']);
    const { datasetImportJob } = await personalize.send(new p.DescribeDatasetImportJobCommand({ datasetImportJobArn }));
    expect(datasetImportJob).toMatchObject({
      jobName: 'load', datasetArn, dataSource: { dataLocation: 's3://bucket/data.csv' }, status: 'ACTIVE', importMode: 'INCREMENTAL',
    });
    const listed = await personalize.send(new p.ListDatasetImportJobsCommand({ datasetArn }));
    expect(listed.datasetImportJobs!.map((j) => [j.jobName, j.status])).toEqual([['load', 'ACTIVE']]);
  });

  test('errors and CREATE FAILED', async () => {
    const groupArn = await activeGroup();
    const datasetArn = await activeDataset(groupArn, await schema());
    const create = (jobName: string, input: Partial<p.CreateDatasetImportJobCommandInput> = {}) => personalize.send(
      new p.CreateDatasetImportJobCommand({ jobName, datasetArn, dataSource: { dataLocation: 's3://b/k.csv' }, ...input }));
    expect((await errorOf(create('j', { dataSource: { dataLocation: 'https://b/k.csv' } }))).name).toBe('InvalidInputException');
    expect((await errorOf(create('j', { datasetArn: `${datasetArn}X` }))).name).toBe('ResourceNotFoundException');
    emu.faults.add({ kind: 'fail', operation: 'CreateDatasetImportJob', reason: 'Access denied to s3://b/k.csv' });
    const { datasetImportJobArn } = await create('j');
    expect(await errorOf(create('j'))).toBeInstanceOf(p.ResourceAlreadyExistsException);
    await emu.waitFor(datasetImportJobArn!, 'CREATE FAILED');
    const { datasetImportJob } = await personalize.send(new p.DescribeDatasetImportJobCommand({ datasetImportJobArn }));
    expect(datasetImportJob).toMatchObject({ status: 'CREATE FAILED', failureReason: 'Access denied to s3://b/k.csv' });

    const { datasetArn: pending } = await personalize.send(new p.CreateDatasetCommand({
      name: 'items', datasetGroupArn: groupArn, schemaArn: await schema('items'), datasetType: 'Items',
    }));
    expect((await errorOf(create('k', { datasetArn: pending }))).name).toBe('ResourceInUseException');
  });
});

describe('Personalize event trackers', () => {
  const TRACKER_ARN = new RegExp(`^arn:aws:personalize:${REGION}:${ACCOUNT}:event-tracker/[0-9a-f]{8}$`);
  const describeTracker = async (eventTrackerArn: string) => {
    try {
      return (await personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn }))).eventTracker?.status;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  const createTracker = (name: string, datasetGroupArn: string | undefined, tags?: p.Tag[]) =>
    personalize.send(new p.CreateEventTrackerCommand({ name, datasetGroupArn, tags }));

  test('create goes CREATE PENDING > CREATE IN_PROGRESS > ACTIVE; a generated ARN, a tracking id, its details and tags', async () => {
    const groupArn = await activeGroup('retail');
    emu.faults.add({ kind: 'slow', operation: 'CreateEventTracker', delayMs: 400 });
    const created = await createTracker('clicks', groupArn, [{ tagKey: 'team', tagValue: 'recs' }]);
    // The ARN ends in an id the service makes, not in the name.
    expect(created.eventTrackerArn).toMatch(TRACKER_ARN);
    expect(created.trackingId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await statusesUntil(() => describeTracker(created.eventTrackerArn!), 'ACTIVE'))
      .toEqual(['CREATE PENDING', 'CREATE IN_PROGRESS', 'ACTIVE']);

    const { eventTracker } = await personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn: created.eventTrackerArn }));
    expect(eventTracker).toMatchObject({
      name: 'clicks',
      eventTrackerArn: created.eventTrackerArn,
      accountId: ACCOUNT,
      trackingId: created.trackingId,
      datasetGroupArn: groupArn,
      status: 'ACTIVE',
    });
    expect(eventTracker!.lastUpdatedDateTime!.getTime()).toBeGreaterThan(eventTracker!.creationDateTime!.getTime());
    expect(emu.resource(created.eventTrackerArn!)).toMatchObject({ service: 'personalize', type: 'event-tracker', name: 'clicks' });
    expect(emu.calls({ operation: 'CreateEventTracker' })[0].resource).toBe(created.eventTrackerArn);

    const resourceArn = created.eventTrackerArn;
    expect((await personalize.send(new p.ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([{ tagKey: 'team', tagValue: 'recs' }]);
    await personalize.send(new p.TagResourceCommand({ resourceArn, tags: [{ tagKey: 'env', tagValue: 'test' }] }));
    await personalize.send(new p.UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
    expect((await personalize.send(new p.ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([{ tagKey: 'env', tagValue: 'test' }]);
  });

  test('ListEventTrackers: summaries without the tracking id, by group or all, paged', async () => {
    const arns: string[] = [];
    for (const name of ['a', 'b', 'c']) arns.push((await createTracker(`${name}-tracker`, await activeGroup(name))).eventTrackerArn!);
    await emu.waitFor(arns[2], 'ACTIVE');

    const byGroup = await personalize.send(new p.ListEventTrackersCommand({ datasetGroupArn: `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/b` }));
    expect(byGroup.eventTrackers).toEqual([{
      name: 'b-tracker', eventTrackerArn: arns[1], status: 'ACTIVE', creationDateTime: expect.any(Date), lastUpdatedDateTime: expect.any(Date),
    }]);
    const first = await personalize.send(new p.ListEventTrackersCommand({ maxResults: 2 }));
    expect(first.eventTrackers!.map((t) => t.name)).toEqual(['a-tracker', 'b-tracker']);
    const second = await personalize.send(new p.ListEventTrackersCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.eventTrackers!.map((t) => t.eventTrackerArn)).toEqual([arns[2]]);
    expect(second.nextToken).toBeUndefined();

    expect(await errorOf(personalize.send(new p.ListEventTrackersCommand({ nextToken: 'garbage' })))).toBeInstanceOf(p.InvalidNextTokenException);
    expect(await errorOf(personalize.send(new p.ListEventTrackersCommand({ maxResults: 101 })))).toBeInstanceOf(p.InvalidInputException);
  });

  test('errors: one tracker per group (LimitExceededException), names unique in the region, group not ACTIVE or unknown, bad input', async () => {
    const groupArn = await activeGroup('retail');
    const { eventTrackerArn } = await createTracker('clicks', groupArn);

    const second = await errorOf(createTracker('views', groupArn));
    expect(second).toBeInstanceOf(p.LimitExceededException);
    expect(second.message).toContain(eventTrackerArn);
    // The name is checked first: a retried create meets its own tracker as a taken name.
    expect(await errorOf(createTracker('clicks', groupArn))).toBeInstanceOf(p.ResourceAlreadyExistsException);
    const otherGroup = await activeGroup('other');
    const taken = await errorOf(createTracker('clicks', otherGroup));
    expect(taken).toBeInstanceOf(p.ResourceAlreadyExistsException);
    expect(taken.message).toContain(eventTrackerArn);
    // Another region is another namespace.
    const eu = new p.PersonalizeClient({ endpoint: emu.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
    try {
      const { datasetGroupArn: euGroup } = await eu.send(new p.CreateDatasetGroupCommand({ name: 'retail' }));
      await emu.waitFor(euGroup!, 'ACTIVE');
      const euTracker = await eu.send(new p.CreateEventTrackerCommand({ name: 'clicks', datasetGroupArn: euGroup }));
      expect(euTracker.eventTrackerArn).toMatch(/^arn:aws:personalize:eu-west-1:\d{12}:event-tracker\/[0-9a-f]{8}$/);
    } finally {
      eu.destroy();
    }

    const { datasetGroupArn: pending } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'pending' }));
    expect(await errorOf(createTracker('fresh', pending))).toBeInstanceOf(p.ResourceInUseException);
    expect(await errorOf(createTracker('fresh', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-group/none`)))
      .toBeInstanceOf(p.ResourceNotFoundException);
    expect((await errorOf(createTracker('fresh', 'not-an-arn'))).name).toBe('InvalidInputException');
    expect((await errorOf(createTracker('has space', otherGroup))).name).toBe('InvalidInputException');
    const many = Array.from({ length: 51 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }));
    expect(await errorOf(createTracker('fresh', otherGroup, many))).toBeInstanceOf(p.TooManyTagsException);
    expect((await errorOf(personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn: `${eventTrackerArn}0` })))).name)
      .toBe('ResourceNotFoundException');
    expect((await errorOf(personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn: groupArn })))).name)
      .toBe('ResourceNotFoundException');
  });

  test('CREATE FAILED (without a failureReason: the tracker has none); a failed tracker can be deleted', async () => {
    const groupArn = await activeGroup();
    emu.faults.add({ kind: 'fail', operation: 'CreateEventTracker', reason: 'Internal failure', times: 1 });
    const { eventTrackerArn } = await createTracker('doomed', groupArn);
    await emu.waitFor(eventTrackerArn!, 'CREATE FAILED');
    const { eventTracker } = await personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn }));
    expect(eventTracker!.status).toBe('CREATE FAILED');
    expect(eventTracker).not.toHaveProperty('failureReason');
    expect(emu.resource(eventTrackerArn!)!.failureReason).toBe('Internal failure');
    await personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn }));
    await emu.waitFor(eventTrackerArn!, 'DELETED');
  });

  test('delete: refused while creating; DELETE PENDING > DELETE IN_PROGRESS > gone; the group is held until then', async () => {
    const groupArn = await activeGroup();
    const { eventTrackerArn } = await createTracker('clicks', groupArn);
    const creating = await errorOf(personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn })));
    expect(creating).toBeInstanceOf(p.ResourceInUseException);
    expect(creating.message).toContain('CREATE');
    await emu.waitFor(eventTrackerArn!, 'ACTIVE');

    const held = await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn })));
    expect(held).toBeInstanceOf(p.ResourceInUseException);
    expect(held.message).toContain(eventTrackerArn);

    emu.faults.add({ kind: 'in-use', operation: 'DeleteEventTracker', times: 1 });
    expect(await errorOf(personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn })))).toBeInstanceOf(p.ResourceInUseException);

    const stuck = emu.faults.add({ kind: 'stuck-delete', operation: 'DeleteEventTracker', times: 1 });
    await personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn }));
    expect(await describeTracker(eventTrackerArn!)).toBe('DELETE PENDING');
    expect((await errorOf(personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn })))).name).toBe('ResourceInUseException');
    // A tracker being deleted still holds its group, and its place in the group.
    expect((await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn })))).name).toBe('ResourceInUseException');
    expect(await errorOf(createTracker('next', groupArn))).toBeInstanceOf(p.LimitExceededException);
    stuck.release();
    expect(await statusesUntil(() => describeTracker(eventTrackerArn!), 'GONE')).toEqual(['DELETE PENDING', 'DELETE IN_PROGRESS', 'GONE']);
    expect(await errorOf(personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn })))).toBeInstanceOf(p.ResourceNotFoundException);

    // Gone: the name and the group's place are free, and the group can go.
    const again = await createTracker('clicks', groupArn);
    await emu.waitFor(again.eventTrackerArn!, 'ACTIVE');
    await personalize.send(new p.DeleteEventTrackerCommand({ eventTrackerArn: again.eventTrackerArn }));
    await emu.waitFor(again.eventTrackerArn!, 'DELETED');
    await personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn }));
    await emu.waitFor(groupArn, 'DELETED');
  });

  test('throttle and error faults reach tracker calls', async () => {
    const groupArn = await activeGroup();
    const { eventTrackerArn } = await createTracker('clicks', groupArn);
    emu.faults.add({ kind: 'throttle', operation: 'DescribeEventTracker', resource: 'clicks', times: 1 });
    expect((await errorOf(personalize.send(new p.DescribeEventTrackerCommand({ eventTrackerArn })))).name).toBe('ThrottlingException');
    expect(await describeTracker(eventTrackerArn!)).toBeDefined();
    emu.faults.add({ kind: 'error', operation: 'ListEventTrackers', error: 'InvalidInputException', message: 'nope', times: 1 });
    expect((await errorOf(personalize.send(new p.ListEventTrackersCommand({})))).message).toBe('nope');
  });
});

describe('Personalize tags', () => {
  test('tag, untag, list; TooManyTagsException, TooManyTagKeysException, ResourceNotFoundException', async () => {
    const resourceArn = await activeGroup();
    await personalize.send(new p.TagResourceCommand({ resourceArn, tags: [{ tagKey: 'a', tagValue: '1' }, { tagKey: 'b', tagValue: '2' }] }));
    await personalize.send(new p.TagResourceCommand({ resourceArn, tags: [{ tagKey: 'a', tagValue: '3' }] }));
    await personalize.send(new p.UntagResourceCommand({ resourceArn, tagKeys: ['b'] }));
    expect((await personalize.send(new p.ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([{ tagKey: 'a', tagValue: '3' }]);

    const many = Array.from({ length: 50 }, (_, i) => ({ tagKey: `k${i}`, tagValue: 'v' }));
    expect(await errorOf(personalize.send(new p.TagResourceCommand({ resourceArn, tags: many })))).toBeInstanceOf(p.TooManyTagsException);
    const keys = Array.from({ length: 51 }, (_, i) => `k${i}`);
    expect(await errorOf(personalize.send(new p.UntagResourceCommand({ resourceArn, tagKeys: keys })))).toBeInstanceOf(p.TooManyTagKeysException);
    expect((await errorOf(personalize.send(new p.ListTagsForResourceCommand({ resourceArn: `${resourceArn}X` })))).name)
      .toBe('ResourceNotFoundException');
  });
});

describe('AgentCore datasets', () => {
  test('create goes CREATING > ACTIVE; get, list, tags, description update', async () => {
    emu.faults.add({ kind: 'slow', operation: 'CreateDataset', service: 'agentcore', delayMs: 400 });
    const created = await agentcore.send(new ac.CreateDatasetCommand({
      datasetName: 'support_evals',
      description: 'first',
      schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1',
      source: { inlineExamples: { examples: [example(1), example(2)] } },
      tags: { team: 'qa' },
    }));
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created).toMatchObject({ status: 'CREATING', datasetId: expect.stringMatching(/^support_evals-[a-zA-Z0-9]+$/) });
    expect(created.datasetArn).toBe(`arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:dataset/${created.datasetId}`);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await statusesUntil(() => getStatus(created.datasetId!), 'ACTIVE')).toEqual(['CREATING', 'ACTIVE']);

    const got = await agentcore.send(new ac.GetDatasetCommand({ datasetId: created.datasetId }));
    expect(got).toMatchObject({
      datasetName: 'support_evals',
      description: 'first',
      datasetVersion: 'DRAFT',
      status: 'ACTIVE',
      exampleCount: 2,
      schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1',
      draftStatus: 'MODIFIED',
      tags: { team: 'qa' },
    });
    const updated = await agentcore.send(new ac.UpdateDatasetCommand({ datasetId: created.datasetId, description: 'second' }));
    expect(updated).toMatchObject({ datasetId: created.datasetId, updatedAt: expect.any(Date) });
    expect((await agentcore.send(new ac.GetDatasetCommand({ datasetId: created.datasetId }))).description).toBe('second');

    await agentcore.send(new ac.TagResourceCommand({ resourceArn: created.datasetArn, tags: { env: 'test', team: 'ml' } }));
    await agentcore.send(new ac.UntagResourceCommand({ resourceArn: created.datasetArn, tagKeys: ['env'] }));
    expect((await agentcore.send(new ac.ListTagsForResourceCommand({ resourceArn: created.datasetArn }))).tags).toEqual({ team: 'ml' });
    expect((await errorOf(agentcore.send(new ac.ListTagsForResourceCommand({ resourceArn: `${created.datasetArn}x` })))))
      .toBeInstanceOf(ac.ResourceNotFoundException);

    const listed = await agentcore.send(new ac.ListDatasetsCommand({}));
    expect(listed.datasets).toEqual([expect.objectContaining({ datasetId: created.datasetId, status: 'ACTIVE', exampleCount: 2 })]);
  });

  test('clientToken: the same request returns the same dataset; other parameters are refused', async () => {
    const clientToken = 'token-0123456789-0123456789-0123456789';
    const request = {
      clientToken, datasetName: 'evals', schemaType: 'THIRD_PARTY_EVALUATION_V1' as const, source: { inlineExamples: { examples: [{ q: 1 }] } },
    };
    const first = await agentcore.send(new ac.CreateDatasetCommand(request));
    const again = await agentcore.send(new ac.CreateDatasetCommand(request));
    expect(again.datasetId).toBe(first.datasetId);
    expect(again.datasetArn).toBe(first.datasetArn);
    expect(emu.resources({ service: 'agentcore' })).toHaveLength(1);

    const mismatch = await errorOf(agentcore.send(new ac.CreateDatasetCommand({ ...request, description: 'different' })));
    expect(mismatch).toBeInstanceOf(ac.ValidationException);
    expect(mismatch.reason).toBe('IdempotentParameterMismatchException');
    const short = await errorOf(agentcore.send(new ac.CreateDatasetCommand({ ...request, clientToken: 'short' })));
    expect(short.name).toBe('ValidationException');
  });

  test('names are unique per account, case-insensitively: another token, or none, is ConflictException', async () => {
    await activeEvalDataset('evals');
    const otherToken = await errorOf(agentcore.send(new ac.CreateDatasetCommand({
      datasetName: 'EVALS', schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { inlineExamples: { examples: [example(1)] } },
    })));
    expect(otherToken).toBeInstanceOf(ac.ConflictException);
    expect(otherToken.$metadata.httpStatusCode).toBe(409);

    // The SDK always fills in a token; a request without one, straight over HTTP:
    const response = await fetch(`${emu.url}/datasets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datasetName: 'evals', schemaType: 'THIRD_PARTY_EVALUATION_V1', source: { inlineExamples: { examples: [{}] } } }),
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('x-amzn-errortype')).toBe('ConflictException');
    expect(((await response.json()) as { message: string }).message).toContain('already exists');
  });

  test('validation: name pattern, schema type, source, example fields, unknown s3 uri; s3Source reads JSONL', async () => {
    const create = (input: Partial<ac.CreateDatasetCommandInput>) => agentcore.send(new ac.CreateDatasetCommand({
      datasetName: 'ok', schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { inlineExamples: { examples: [example(1)] } }, ...input,
    } as ac.CreateDatasetCommandInput));
    const bad: Array<[Partial<ac.CreateDatasetCommandInput>, string]> = [
      [{ datasetName: '1starts_with_digit' }, 'datasetName'],
      [{ datasetName: 'has-dash' }, 'datasetName'],
      [{ schemaType: 'OTHER' as any }, 'schemaType'],
      [{ source: { inlineExamples: { examples: [{ scenario_id: 'x', turns: [] }] } } }, 'turns'],
      [{ schemaType: 'AGENTCORE_EVALUATION_SIMULATED_V1' }, 'actor_profile'],
      [{ source: { s3Source: { s3Uri: 's3://bucket/missing.jsonl' } } }, 'missing.jsonl'],
      [{ description: 'x'.repeat(201) }, 'description'],
    ];
    for (const [input, mention] of bad) {
      const error = await errorOf(create(input));
      expect(error).toBeInstanceOf(ac.ValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(mention);
    }
    const fromS3 = await create({ source: { s3Source: { s3Uri: S3_URI } } });
    await emu.waitFor(fromS3.datasetId!, 'ACTIVE');
    expect((await listAllExamples(fromS3.datasetId!)).map((e) => e.scenario_id)).toEqual(['TC-1', 'TC-2']);
  });

  test('CREATE_FAILED with the fault reason; a failed dataset can be deleted', async () => {
    emu.faults.add({ kind: 'fail', service: 'agentcore', operation: 'CreateDataset', reason: 'KMS key disabled' });
    const created = await agentcore.send(new ac.CreateDatasetCommand({
      datasetName: 'doomed', schemaType: 'THIRD_PARTY_EVALUATION_V1', source: { inlineExamples: { examples: [{}] } },
    }));
    await emu.waitFor(created.datasetId!, 'CREATE_FAILED');
    expect(await agentcore.send(new ac.GetDatasetCommand({ datasetId: created.datasetId })))
      .toMatchObject({ status: 'CREATE_FAILED', failureReason: 'KMS key disabled', exampleCount: 0 });
    const version = await errorOf(agentcore.send(new ac.CreateDatasetVersionCommand({ datasetId: created.datasetId })));
    expect(version.message).toContain('DATASET_IN_FAILED_STATE');
    await agentcore.send(new ac.DeleteDatasetCommand({ datasetId: created.datasetId }));
    await emu.waitFor(created.datasetId!, 'DELETED');
  });

  test('delete: DATASET_NOT_READY while CREATING or UPDATING; DELETING > gone; in use by an evaluation job; DELETE_FAILED', async () => {
    // Creating and updating long enough for the delete to arrive meanwhile, however loaded the machine.
    emu.faults.add({ kind: 'slow', service: 'agentcore', operation: ['CreateDataset', 'AddDatasetExamples'], delayMs: 100, times: 2 });
    const creating = await agentcore.send(new ac.CreateDatasetCommand({
      datasetName: 'fresh', schemaType: 'THIRD_PARTY_EVALUATION_V1', source: { inlineExamples: { examples: [{}] } },
    }));
    const notReady = await errorOf(agentcore.send(new ac.DeleteDatasetCommand({ datasetId: creating.datasetId })));
    expect(notReady).toBeInstanceOf(ac.ConflictException);
    expect(notReady.message).toContain('DATASET_NOT_READY');
    await emu.waitFor(creating.datasetId!, 'ACTIVE');

    await addExamples(creating.datasetId, [{}]);
    expect((await errorOf(agentcore.send(new ac.DeleteDatasetCommand({ datasetId: creating.datasetId })))).message).toContain('DATASET_NOT_READY');
    await emu.waitFor(creating.datasetId!, 'ACTIVE');

    emu.faults.add({ kind: 'in-use', service: 'agentcore', resource: 'fresh', times: 1 });
    const referenced = await errorOf(agentcore.send(new ac.DeleteDatasetCommand({ datasetId: creating.datasetId })));
    expect(referenced).toBeInstanceOf(ac.ConflictException);
    expect(referenced.message).toMatch(/in use by an evaluation job/);

    emu.faults.add({ kind: 'fail', service: 'agentcore', operation: 'DeleteDataset', reason: 'S3 cleanup failed', times: 1 });
    const deleting = await agentcore.send(new ac.DeleteDatasetCommand({ datasetId: creating.datasetId }));
    expect(deleting).toMatchObject({ status: 'DELETING', datasetId: creating.datasetId });
    await emu.waitFor(creating.datasetId!, 'DELETE_FAILED');
    expect((await agentcore.send(new ac.GetDatasetCommand({ datasetId: creating.datasetId }))).failureReason).toBe('S3 cleanup failed');

    await agentcore.send(new ac.DeleteDatasetCommand({ datasetId: creating.datasetId }));
    expect(await statusesUntil(() => getStatus(creating.datasetId!), 'GONE')).toEqual(['DELETING', 'GONE']);
    // The name is free again.
    await activeEvalDataset('fresh');
  });
});

describe('AgentCore examples and versions', () => {
  test('add, update, delete: UPDATING > ACTIVE; listed examples carry their exampleId', async () => {
    const { datasetId } = await activeEvalDataset('evals', [example(1)]);
    const added = await addExamples(datasetId, [example(2), example(3)]);
    expect(added).toMatchObject({ status: 'UPDATING', addedCount: 2, exampleIds: [expect.any(String), expect.any(String)] });
    expect(await statusesUntil(() => getStatus(datasetId!), 'ACTIVE')).toEqual(['UPDATING', 'ACTIVE']);
    let examples = await listAllExamples(datasetId!);
    expect(examples.map((e) => e.scenario_id)).toEqual(['TC-1', 'TC-2', 'TC-3']);
    expect(examples[1]).toEqual({ exampleId: added.exampleIds![0], ...example(2) });

    const replaced = { exampleId: added.exampleIds![0], scenario_id: 'TC-2b', turns: [{ input: 'changed' }] };
    expect(await agentcore.send(new ac.UpdateDatasetExamplesCommand({ datasetId, examples: [replaced] })))
      .toMatchObject({ status: 'UPDATING', updatedCount: 1 });
    await emu.waitFor(datasetId!, 'ACTIVE');
    examples = await listAllExamples(datasetId!);
    expect(examples[1]).toEqual(replaced);

    expect(await agentcore.send(new ac.DeleteDatasetExamplesCommand({ datasetId, exampleIds: [examples[0].exampleId] })))
      .toMatchObject({ status: 'UPDATING', deletedCount: 1 });
    await emu.waitFor(datasetId!, 'ACTIVE');
    expect((await listAllExamples(datasetId!)).map((e) => e.scenario_id)).toEqual(['TC-2b', 'TC-3']);
    expect((await agentcore.send(new ac.GetDatasetCommand({ datasetId }))).exampleCount).toBe(2);
  });

  test('errors: unknown example ids, not ready, UPDATE_FAILED leaves the DRAFT unchanged', async () => {
    const { datasetId } = await activeEvalDataset();
    const unknown = await errorOf(agentcore.send(new ac.DeleteDatasetExamplesCommand({ datasetId, exampleIds: ['nope'] })));
    expect(unknown).toBeInstanceOf(ac.ResourceNotFoundException);
    expect((await errorOf(agentcore.send(new ac.UpdateDatasetExamplesCommand({ datasetId, examples: [{ exampleId: 'nope', ...example(9) }] }))))
      .name).toBe('ResourceNotFoundException');
    expect((await errorOf(agentcore.send(new ac.UpdateDatasetExamplesCommand({ datasetId, examples: [example(9)] })))).name)
      .toBe('ValidationException');

    emu.faults.add({ kind: 'fail', operation: 'AddDatasetExamples', reason: 'Schema validation failed', times: 1 });
    await addExamples(datasetId, [example(2)]);
    const busy = await errorOf(addExamples(datasetId, [example(3)]));
    expect(busy).toBeInstanceOf(ac.ConflictException);
    expect(busy.message).toContain('DATASET_NOT_READY');
    await emu.waitFor(datasetId!, 'UPDATE_FAILED');
    expect(await agentcore.send(new ac.GetDatasetCommand({ datasetId }))).toMatchObject({ failureReason: 'Schema validation failed', exampleCount: 1 });
    expect((await errorOf(addExamples(datasetId, [example(3)]))).message).toContain('DATASET_NOT_READY');
  });

  test('at most 1000 examples per Add, Update and Delete call', async () => {
    const { datasetId } = await activeEvalDataset('big', [example(-1)]);
    const thousand = Array.from({ length: 1000 }, (_, i) => example(i));
    const added = await addExamples(datasetId, thousand);
    expect(added.exampleIds).toHaveLength(1000);
    await emu.waitFor(datasetId!, 'ACTIVE');

    const tooMany = await errorOf(addExamples(datasetId, [...thousand, example(1000)]));
    expect(tooMany).toBeInstanceOf(ac.ValidationException);
    expect(tooMany.message).toContain('1000');
    const updates = added.exampleIds!.map((exampleId, i) => ({ exampleId, ...example(i) }));
    expect((await errorOf(agentcore.send(new ac.UpdateDatasetExamplesCommand({ datasetId, examples: [...updates, updates[0]] })))).name)
      .toBe('ValidationException');
    expect((await errorOf(agentcore.send(new ac.DeleteDatasetExamplesCommand({ datasetId, exampleIds: [...added.exampleIds!, 'x'] })))).name)
      .toBe('ValidationException');
    expect((await errorOf(agentcore.send(new ac.DeleteDatasetExamplesCommand({ datasetId, exampleIds: [] })))).name).toBe('ValidationException');

    await agentcore.send(new ac.UpdateDatasetExamplesCommand({ datasetId, examples: updates }));
    await emu.waitFor(datasetId!, 'ACTIVE');
    await agentcore.send(new ac.DeleteDatasetExamplesCommand({ datasetId, exampleIds: added.exampleIds }));
    await emu.waitFor(datasetId!, 'ACTIVE');
    expect((await agentcore.send(new ac.GetDatasetCommand({ datasetId }))).exampleCount).toBe(1);
  });

  test('ListDatasetExamples pages with maxResults and nextToken, pinned to the version of the first page', async () => {
    const { datasetId } = await activeEvalDataset('paged', Array.from({ length: 5 }, (_, i) => example(i)));
    const first = await agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId, maxResults: 2 }));
    expect(first.examples!.map((e: any) => e.scenario_id)).toEqual(['TC-0', 'TC-1']);
    expect(first.nextToken).toEqual(expect.any(String));
    expect((await listAllExamples(datasetId!)).map((e) => e.scenario_id)).toEqual(['TC-0', 'TC-1', 'TC-2', 'TC-3', 'TC-4']);

    await agentcore.send(new ac.CreateDatasetVersionCommand({ datasetId }));
    await emu.waitFor(datasetId!, 'ACTIVE');
    const pinned = await agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId, datasetVersion: '1', maxResults: 3 }));
    await agentcore.send(new ac.DeleteDatasetExamplesCommand({ datasetId, exampleIds: [(pinned.examples![0] as any).exampleId] }));
    await emu.waitFor(datasetId!, 'ACTIVE');
    const rest = await agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId, nextToken: pinned.nextToken, maxResults: 3 }));
    expect(rest.datasetVersion).toBe('1');
    expect(rest.nextToken).toBeUndefined();
    expect(rest.examples!.map((e: any) => e.scenario_id)).toEqual(['TC-3', 'TC-4']);
    expect(await listAllExamples(datasetId!)).toHaveLength(4);

    expect((await errorOf(agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId, maxResults: 1001 })))).name).toBe('ValidationException');
    expect((await errorOf(agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId, nextToken: 'garbage' })))).name).toBe('ValidationException');
  });

  test('ListDatasetExamples refuses a page whose response would exceed 5 MB (ValidationException); smaller pages list it all', async () => {
    const { datasetId } = await activeEvalDataset('large', [example(-1)]);
    // 1000 examples of about 6 KB: two adds of 3 MB each, under the 5 MB request limit.
    const big = (n: number) => ({ ...example(n), turns: [{ input: `${n} ${'x'.repeat(6000)}` }] });
    for (const first of [0, 500]) {
      await addExamples(datasetId, Array.from({ length: 500 }, (_, i) => big(first + i)));
      await emu.waitFor(datasetId!, 'ACTIVE');
    }
    const tooBig = await errorOf(agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId })));
    expect(tooBig).toBeInstanceOf(ac.ValidationException);
    expect(tooBig).toMatchObject({ reason: 'FieldValidationFailed', fieldList: [{ name: 'maxResults', message: tooBig.message }] });
    expect(tooBig.message).toMatch(/^The response of 1000 examples would be \d+ bytes, over the 5 MB limit of ListDatasetExamples: request fewer with maxResults/);
    expect((await listAllExamples(datasetId!))).toHaveLength(1001); // pages of 400
    expect((await agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId, maxResults: 800 }))).examples).toHaveLength(800);
  });

  test('ListDatasets pages', async () => {
    for (const name of ['one', 'two', 'three']) await activeEvalDataset(name);
    const names: string[] = [];
    for await (const page of ac.paginateListDatasets({ client: agentcore, pageSize: 2 }, {})) {
      expect(page.datasets!.length).toBeLessThanOrEqual(2);
      names.push(...page.datasets!.map((d) => d.datasetName!));
    }
    expect(names).toEqual(['one', 'two', 'three']);
  });

  test('CreateDatasetVersion snapshots the DRAFT as 1, 2, ...; versions listed newest first; version delete', async () => {
    const { datasetId } = await activeEvalDataset('versioned', [example(1)]);
    const v1 = await agentcore.send(new ac.CreateDatasetVersionCommand({ datasetId }));
    expect(v1).toMatchObject({ status: 'UPDATING', datasetVersion: '1' });
    expect((await errorOf(agentcore.send(new ac.CreateDatasetVersionCommand({ datasetId })))).message).toContain('DATASET_NOT_READY');
    await emu.waitFor(datasetId!, 'ACTIVE');
    expect((await agentcore.send(new ac.GetDatasetCommand({ datasetId }))).draftStatus).toBe('UNMODIFIED');

    await addExamples(datasetId, [example(2)]);
    await emu.waitFor(datasetId!, 'ACTIVE');
    expect((await agentcore.send(new ac.GetDatasetCommand({ datasetId }))).draftStatus).toBe('MODIFIED');
    const v2 = await agentcore.send(new ac.CreateDatasetVersionCommand({ datasetId }));
    expect(v2.datasetVersion).toBe('2');
    await emu.waitFor(datasetId!, 'ACTIVE');

    const { versions } = await agentcore.send(new ac.ListDatasetVersionsCommand({ datasetId }));
    expect(versions!.map((v) => [v.datasetVersion, v.exampleCount])).toEqual([['2', 2], ['1', 1]]);
    expect(await agentcore.send(new ac.GetDatasetCommand({ datasetId, datasetVersion: '1' }))).toMatchObject({ datasetVersion: '1', exampleCount: 1 });
    expect(await errorOf(agentcore.send(new ac.GetDatasetCommand({ datasetId, datasetVersion: '7' })))).toBeInstanceOf(ac.ResourceNotFoundException);

    expect(await agentcore.send(new ac.DeleteDatasetCommand({ datasetId, datasetVersion: '1' }))).toMatchObject({ status: 'UPDATING', datasetVersion: '1' });
    await emu.waitFor(datasetId!, 'ACTIVE');
    expect((await agentcore.send(new ac.ListDatasetVersionsCommand({ datasetId }))).versions!.map((v) => v.datasetVersion)).toEqual(['2']);
    expect((await errorOf(agentcore.send(new ac.DeleteDatasetCommand({ datasetId, datasetVersion: '1' })))).name).toBe('ResourceNotFoundException');
  });
});

describe('faults', () => {
  test('throttle: Personalize ThrottlingException (400), AgentCore 429; the SDK retries through a limited one', async () => {
    const groupArn = await activeGroup();
    emu.faults.add({ kind: 'throttle', operation: 'DescribeDatasetGroup', times: 1 });
    const throttled = await errorOf(personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: groupArn })));
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

    const { datasetId } = await activeEvalDataset();
    emu.faults.add({ kind: 'throttle', service: 'agentcore', times: 1 });
    const limited = await errorOf(agentcore.send(new ac.GetDatasetCommand({ datasetId })));
    expect(limited).toBeInstanceOf(ac.ThrottlingException);
    expect(limited.$metadata.httpStatusCode).toBe(429);

    // The SDK's own retries (throttling backs off from 1 s, so one retry keeps the test quick).
    const fault = emu.faults.add({ kind: 'throttle', operation: 'DescribeDatasetGroup', times: 1 });
    const retrying = new p.PersonalizeClient({ endpoint: emu.url, region: REGION, credentials, maxAttempts: 2 });
    const described = await retrying.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: groupArn }));
    retrying.destroy();
    expect(described.$metadata.attempts).toBe(2);
    expect(fault).toMatchObject({ hits: 1, remaining: 0 });
    expect(emu.faults.list()).toHaveLength(0);
    expect(emu.calls({ operation: 'DescribeDatasetGroup' }).map((c) => c.error ?? c.httpStatus))
      .toEqual(['ThrottlingException', 'ThrottlingException', 200]);
  });

  test('server-error: 500 and 503 for both services; the SDK retries through them', async () => {
    emu.faults.add({ kind: 'server-error', service: 'personalize', times: 1 });
    const p500 = await errorOf(personalize.send(new p.ListDatasetGroupsCommand({})));
    expect(p500).toMatchObject({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    emu.faults.add({ kind: 'server-error', service: 'agentcore', times: 1 });
    expect(await errorOf(agentcore.send(new ac.ListDatasetsCommand({})))).toBeInstanceOf(ac.InternalServerException);
    emu.faults.add({ kind: 'server-error', status: 503, operation: 'ListDatasets', service: 'agentcore', times: 1 });
    expect(await errorOf(agentcore.send(new ac.ListDatasetsCommand({})))).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 503 } });
    expect((await agentcore.send(new ac.ListDatasetsCommand({}))).datasets).toEqual([]);

    emu.faults.add({ kind: 'server-error', service: 'agentcore', times: 2 });
    const retrying = new ac.BedrockAgentCoreControlClient({ endpoint: emu.url, region: REGION, credentials, maxAttempts: 3 });
    const listed = await retrying.send(new ac.ListDatasetsCommand({}));
    retrying.destroy();
    expect(listed.$metadata.attempts).toBe(3);
  });

  test('error: any error code, forever until removed', async () => {
    const fault = emu.faults.add({ kind: 'error', operation: 'CreateSchema', error: 'LimitExceededException', message: 'Too many schemas' });
    for (const name of ['a', 'b']) {
      const error = await errorOf(schema(name));
      expect(error).toBeInstanceOf(p.LimitExceededException);
      expect(error.message).toBe('Too many schemas');
    }
    fault.remove();
    await schema('c');
    expect(fault.hits).toBe(2);
  });

  test('slow: a per-resource fault, and per-operation delays in the options', async () => {
    emu.faults.add({ kind: 'slow', resource: /^slow/, delayMs: 500 });
    const { datasetGroupArn: slow } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'slow-group' }));
    const { datasetGroupArn: quick } = await personalize.send(new p.CreateDatasetGroupCommand({ name: 'quick-group' }));
    await emu.waitFor(quick!, 'ACTIVE');
    expect(emu.resource(slow!)!.status).toBe('CREATE PENDING');
    const info = await emu.waitFor(slow!, 'ACTIVE');
    expect(info.activeAt! - info.createdAt).toBeGreaterThanOrEqual(995); // two steps of 500 ms

    const configured = await startEmulator({ delays: { step: 5, operations: { CreateDatasetGroup: 50 } }, checkModel: true });
    const client = new p.PersonalizeClient({ endpoint: configured.url, region: REGION, credentials, maxAttempts: 1 });
    try {
      const { datasetGroupArn } = await client.send(new p.CreateDatasetGroupCommand({ name: 'g' }));
      const group = await configured.waitFor(datasetGroupArn!, 'ACTIVE');
      expect(group.activeAt! - group.createdAt).toBeGreaterThanOrEqual(95);
    } finally {
      client.destroy();
      await configured.close();
    }
  });

  test('stuck-delete: DELETE PENDING / DELETING until released', async () => {
    const groupArn = await activeGroup('stuck');
    const { datasetId } = await activeEvalDataset('stuck_evals');
    const personalizeFault = emu.faults.add({ kind: 'stuck-delete', service: 'personalize' });
    emu.faults.add({ kind: 'stuck-delete', service: 'agentcore', resource: /stuck/ });
    await personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn }));
    await agentcore.send(new ac.DeleteDatasetCommand({ datasetId }));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await describeGroup(groupArn)).toBe('DELETE PENDING');
    expect(await getStatus(datasetId!)).toBe('DELETING');

    personalizeFault.release();
    expect(await statusesUntil(() => describeGroup(groupArn), 'GONE')).toEqual(['DELETE PENDING', 'DELETE IN_PROGRESS', 'GONE']);
    expect(await getStatus(datasetId!)).toBe('DELETING');
    expect(emu.release('stuck_evals')).toBe(1);
    await emu.waitFor(datasetId!, 'DELETED');
  });

  test('in-use: Personalize ResourceInUseException on delete', async () => {
    const groupArn = await activeGroup('busy');
    emu.faults.add({ kind: 'in-use', operation: 'DeleteDatasetGroup', reason: 'a solution uses it', times: 1 });
    const error = await errorOf(personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn })));
    expect(error).toBeInstanceOf(p.ResourceInUseException);
    expect(error.message).toContain('a solution uses it');
    await personalize.send(new p.DeleteDatasetGroupCommand({ datasetGroupArn: groupArn }));
  });

  test('no-response: the request is read and never answered; a client with a request timeout gives up; nothing was done', async () => {
    const fault = emu.faults.add({ kind: 'no-response', operation: 'CreateDatasetGroup', times: 1 });
    const impatient = new p.PersonalizeClient({
      endpoint: emu.url, region: REGION, credentials, maxAttempts: 1, requestHandler: { requestTimeout: 150, throwOnRequestTimeout: true },
    });
    try {
      const started = Date.now();
      const lost = await errorOf(impatient.send(new p.CreateDatasetGroupCommand({ name: 'lost' })));
      expect(lost.name).toMatch(/Timeout/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(fault).toMatchObject({ hits: 1, remaining: 0 });
      expect(emu.calls().map((c) => [c.operation, c.name, c.delivery, c.httpStatus])).toEqual([['CreateDatasetGroup', 'lost', 'no-response', undefined]]);
      expect(emu.resources()).toEqual([]);
      // The next call is answered.
      await impatient.send(new p.CreateDatasetGroupCommand({ name: 'lost' }));
      expect(emu.resources().map((r) => r.name)).toEqual(['lost']);
    } finally {
      impatient.destroy();
    }
  });

  test('no-response that executes: the create happened, its answer was lost; the SDK retry meets the group it made', async () => {
    emu.faults.add({ kind: 'no-response', service: 'personalize', operation: 'CreateDatasetGroup', executes: true, times: 1 });
    const retrying = new p.PersonalizeClient({
      endpoint: emu.url, region: REGION, credentials, maxAttempts: 2, requestHandler: { requestTimeout: 150, throwOnRequestTimeout: true },
    });
    try {
      const again = await errorOf(retrying.send(new p.CreateDatasetGroupCommand({ name: 'twice' })));
      expect(again).toBeInstanceOf(p.ResourceAlreadyExistsException);
      expect(again.$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
    expect(emu.resources().map((r) => r.name)).toEqual(['twice']);
    expect(emu.calls().map((c) => c.delivery ?? c.error)).toEqual(['no-response', 'ResourceAlreadyExistsException']);
  });

  test('no-response for any service (S3 too); close() ends promptly with the request still open', async () => {
    const own = await startEmulator({ checkModel: true });
    const s3 = new S3Client({ endpoint: own.url, region: REGION, credentials, maxAttempts: 1 }); // no timeout: it would wait forever
    own.faults.add({ kind: 'no-response', service: 's3', operation: 'PutObject' });
    own.faults.add({ kind: 'no-response', service: 'agentcore', operation: 'ListDatasets' });
    const acClient = new ac.BedrockAgentCoreControlClient({ endpoint: own.url, region: REGION, credentials, maxAttempts: 1 });
    try {
      const put = errorOf(s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })));
      const list = errorOf(acClient.send(new ac.ListDatasetsCommand({})));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(own.calls().map((c) => [c.service, c.operation, c.delivery])).toEqual(
        expect.arrayContaining([['s3', 'PutObject', 'no-response'], ['agentcore', 'ListDatasets', 'no-response']]));
      expect(own.objects()).toEqual([]);
      const closing = Date.now();
      await own.close();
      expect(Date.now() - closing).toBeLessThan(1000);
      expect((await put).message).toMatch(/socket hang up|ECONNRESET/);
      expect((await list).message).toMatch(/socket hang up|ECONNRESET/);
    } finally {
      s3.destroy();
      acClient.destroy();
    }
  });

  test('slow-response: the operation runs at once, its answer (success or error) arrives delayMs later; past a request timeout it is lost', async () => {
    const groupArn = await activeGroup('slowly');
    const fault = emu.faults.add({ kind: 'slow-response', operation: 'DescribeDatasetGroup', delayMs: 200, times: 2 });
    let started = Date.now();
    const { datasetGroup } = await personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: groupArn }));
    expect(datasetGroup).toMatchObject({ name: 'slowly', status: 'ACTIVE' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    started = Date.now();
    const missing = await errorOf(personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: `${groupArn}-none` })));
    expect(missing).toBeInstanceOf(p.ResourceNotFoundException);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(fault.hits).toBe(2);
    expect(emu.calls({ operation: 'DescribeDatasetGroup' }).map((c) => [c.delivery, c.httpStatus])).toEqual([['slow-response', 200], ['slow-response', 400]]);

    emu.faults.add({ kind: 'slow-response', service: 'agentcore', operation: 'CreateDataset', delayMs: 300, times: 1 });
    const impatient = new ac.BedrockAgentCoreControlClient({
      endpoint: emu.url, region: REGION, credentials, maxAttempts: 1, requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true },
    });
    try {
      const late = await errorOf(impatient.send(new ac.CreateDatasetCommand({
        datasetName: 'late', schemaType: 'THIRD_PARTY_EVALUATION_V1', source: { inlineExamples: { examples: [{}] } },
      })));
      expect(late.name).toMatch(/Timeout/);
    } finally {
      impatient.destroy();
    }
    expect(emu.resources({ service: 'agentcore' }).map((r) => r.name)).toEqual(['late']); // created all the same
    expect(() => emu.faults.add({ kind: 'slow-response' })).toThrow(/delayMs/);
    await new Promise((resolve) => setTimeout(resolve, 250)); // let the late answer go out before the reset
  });

  test('faults match by service, operation and resource only', async () => {
    emu.faults.add({ kind: 'throttle', service: 'agentcore', operation: 'CreateDataset' });
    emu.faults.add({ kind: 'throttle', resource: 'other-group' });
    await personalize.send(new p.CreateDatasetGroupCommand({ name: 'group' }));
    await personalize.send(new p.CreateDatasetGroupCommand({ name: 'other' }));
    expect((await errorOf(personalize.send(new p.CreateDatasetGroupCommand({ name: 'other-group' })))).name).toBe('ThrottlingException');
    expect((await errorOf(activeEvalDataset())).name).toBe('ThrottlingException');
    expect(() => emu.faults.add({ kind: 'slow' })).toThrow(/delayMs/);
    emu.faults.clear();
    await activeEvalDataset();
  });
});

describe('the model check (checkModel)', () => {
  test('an answer outside the SDK model is an emulator bug: a 500 naming operation and member, and a recorded violation', async () => {
    emu.faults.add({ kind: 'error', operation: 'ListSchemas', error: 'BogusException', times: 1 });
    const bug = await errorOf(personalize.send(new p.ListSchemasCommand({})));
    expect(bug).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    expect(bug.message).toMatch(/^Emulator bug: its ListSchemas BogusException error departs from the AWS SDK's model of personalize: .*no such error/);
    expect(emu.modelViolations()).toEqual([
      { service: 'personalize', operation: 'ListSchemas', seq: 1, message: expect.stringContaining('BogusException') },
    ]);
    emu.reset(); // the violation was the point
  });

  test('errors as the models declare them: a bad maxResults where no InvalidInputException is declared; 503 is ServiceUnavailable', async () => {
    const range = await errorOf(personalize.send(new p.ListDatasetGroupsCommand({ maxResults: 101 })));
    expect(range).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(range.message).toContain("Value '101' at 'maxResults' failed to satisfy constraint");
    expect(await errorOf(personalize.send(new p.ListDatasetsCommand({ maxResults: 101 })))).toBeInstanceOf(p.InvalidInputException);
    expect((await errorOf(agentcore.send(new ac.ListDatasetsCommand({ maxResults: 101 })))).name).toBe('ValidationException');
    emu.faults.add({ kind: 'server-error', status: 503, times: 2 });
    expect(await errorOf(personalize.send(new p.ListSchemasCommand({}))))
      .toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    expect(await errorOf(agentcore.send(new ac.ListDatasetsCommand({}))))
      .toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
  });
});

describe('inspection, endpoints and lifecycle', () => {
  test('resources, calls with observed statuses, counts, activeAt, reset', async () => {
    const groupArn = await activeGroup('seen');
    const activeAt = emu.activeAt(groupArn)!;
    await new Promise((resolve) => setTimeout(resolve, 15));
    await describeGroup(groupArn);
    const describes = emu.calls({ service: 'personalize', operation: 'DescribeDatasetGroup' });
    expect(describes).toHaveLength(1);
    expect(describes[0]).toMatchObject({ resource: groupArn, name: 'seen', observed: 'ACTIVE', httpStatus: 200 });
    expect(describes[0].time - activeAt).toBeGreaterThanOrEqual(14); // "time from ACTIVE to the provider seeing it"

    await activeEvalDataset('seen_too');
    expect(emu.resources().map((r) => [r.service, r.type, r.name, r.status])).toEqual([
      ['personalize', 'dataset-group', 'seen', 'ACTIVE'],
      ['agentcore', 'evaluation-dataset', 'seen_too', 'ACTIVE'],
    ]);
    expect(emu.counts()).toEqual({ 'personalize:CreateDatasetGroup': 1, 'personalize:DescribeDatasetGroup': 1, 'agentcore:CreateDataset': 1 });
    expect(emu.counts('personalize')).toEqual({ CreateDatasetGroup: 1, DescribeDatasetGroup: 1 });
    expect(emu.calls({ service: 'agentcore' })[0]).toMatchObject({ operation: 'CreateDataset', name: 'seen_too', httpStatus: 202 });

    emu.faults.add({ kind: 'throttle' });
    emu.reset();
    expect(emu.resources()).toEqual([]);
    expect(emu.calls()).toEqual([]);
    expect(emu.faults.list()).toEqual([]);
    expect(await describeGroup(groupArn)).toBeUndefined();
  });

  test.each([
    ['AWS_ENDPOINT_URL_<SERVICE>', () => emu.env],
    ['AWS_ENDPOINT_URL', () => ({ AWS_ENDPOINT_URL: emu.url })],
  ])('the SDK finds the emulator through %s', async (_, env) => {
    const saved = { ...process.env };
    Object.assign(process.env, env());
    try {
      const envPersonalize = new p.PersonalizeClient({ region: REGION, credentials, maxAttempts: 1 });
      const envAgentcore = new ac.BedrockAgentCoreControlClient({ region: REGION, credentials, maxAttempts: 1 });
      await envPersonalize.send(new p.CreateSchemaCommand({ name: 'via-env', schema: SCHEMA }));
      await envAgentcore.send(new ac.ListDatasetsCommand({}));
      envPersonalize.destroy();
      envAgentcore.destroy();
    } finally {
      process.env = saved;
    }
    expect(emu.counts()).toEqual({ 'personalize:CreateSchema': 1, 'agentcore:ListDatasets': 1 });
  });

  test('unknown operations are refused; only loopback addresses are accepted', async () => {
    const response = await fetch(emu.url, {
      method: 'POST', headers: { 'x-amz-target': 'AmazonPersonalize.CreateSolution', 'content-type': 'application/x-amz-json-1.1' }, body: '{}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toContain('UnknownOperationException');
    expect((await fetch(`${emu.url}/runtimes`)).status).toBe(404);
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
