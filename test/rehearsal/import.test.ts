/**
 * Dataset imports through CloudFormation and the Provider framework (the rehearsal driver) against
 * the Personalize emulator, running the bundled handlers in Lambda-like containers with their roles'
 * credentials, every call authorized as IAM would: a deployment imports into
 * an ACTIVE dataset and waits for the job; a new source is a new job into the same dataset; an
 * unchanged one is none; a failed job fails the deployment with its reason; deleting the dataset
 * waits for a running job.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as p from '@aws-sdk/client-personalize';
import { App, CfnOutput, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Driver, scaledClock } from '../../rehearsal/driver';
import { EmulatedPrincipal, Emulator, startEmulator } from '../../rehearsal/emulator';
import { DatasetGroup, DatasetImportSource, DatasetType, Schema, SchemaField } from '../../src';

jest.setTimeout(60_000);

const STACK = 'ImportRehearsal';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' };
const S = SchemaField.string;
/** Real milliseconds per simulated one, for the driver, the handlers and the services alike. */
const TIME_SCALE = 0.01;
const CLOCK_ANCHOR_MS = Date.now();

interface Version {
  readonly key: string;
  readonly waitForCompletion?: boolean;
  readonly tag?: string;
}

let outdir: string;
let emu: Emulator;
let personalize: p.PersonalizeClient;
let synthesized = 0;
/** The drivers of the running test: the emulator asks them which role an access key stands for. */
const drivers = new Set<Driver>();

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-rehearsal-'));
  emu = await startEmulator({
    delays: { step: 5 },
    checkModel: true,
    clock: scaledClock(TIME_SCALE, CLOCK_ANCHOR_MS),
    principals: (accessKeyId) => [...drivers].map((d) => d.principal(accessKeyId))
      .find((principal) => principal !== undefined) as EmulatedPrincipal | undefined,
  });
  personalize = new p.PersonalizeClient({ endpoint: emu.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
});

// Every response is checked against the SDK's model; a departure fails the test.
afterEach(async () => {
  await Promise.all([...drivers].map((d) => d.close()));
  drivers.clear();
  const violations = emu.modelViolations();
  const { checked, denials } = emu.authorization();
  emu.reset();
  expect(violations.map((v) => v.message)).toEqual([]);
  // Every call of the handlers was made with a role's credentials, and IAM allowed each.
  expect(checked).toBeGreaterThan(0);
  expect(denials).toEqual([]);
});

afterAll(async () => {
  personalize?.destroy();
  await emu?.close();
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

/** The stack: a group, a schema and an Interactions dataset that imports `s3://<bucket>/<key>`. */
function synth(version: Version): CloudAssembly {
  const app = new App({ outdir: path.join(outdir, `v${++synthesized}`) });
  const stack = new Stack(app, STACK, { env: { account: '123456789012', region: REGION } });
  const bucket = new s3.Bucket(stack, 'Data');
  const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
  const schema = new Schema(stack, 'InteractionsSchema', {
    datasetType: DatasetType.INTERACTIONS,
    fields: [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE')],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const dataset = group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema,
    dataImport: { source: DatasetImportSource.fromBucket(bucket, version.key), waitForCompletion: version.waitForCompletion },
  });
  if (version.tag) Tags.of(dataset).add('import', version.tag);
  new CfnOutput(stack, 'DatasetArn', { value: dataset.datasetArn });
  new CfnOutput(stack, 'ImportJobArn', { value: dataset.importJobArn! });
  return app.synth();
}

/** A driver whose handler containers sign with their roles' credentials; the emulator authorizes each call. */
function newDriver(): Driver {
  const driver = new Driver({
    env: { ...emu.env, AWS_REGION: REGION, CDK_DATASETS_MAX_ATTEMPTS: '2', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeScale: TIME_SCALE,
    clockAnchorMs: CLOCK_ANCHOR_MS,
  });
  drivers.add(driver);
  return driver;
}

const jobs = () => emu.resources({ service: 'personalize', type: 'dataset-import-job' });
const datasets = () => emu.resources({ service: 'personalize', type: 'dataset' });

async function describeJob(datasetImportJobArn: string) {
  return (await personalize.send(new p.DescribeDatasetImportJobCommand({ datasetImportJobArn }))).datasetImportJob!;
}

/** The s3:// location the stack's bucket gives a key (the driver simulates the bucket's name). */
function locationOf(driver: Driver, key: string): string {
  const bucket = driver.resources().find((r) => r.resourceType === 'AWS::S3::Bucket')!;
  return `s3://${bucket.physicalId}/${key}`;
}

test('deploy: the import job runs once the dataset is ACTIVE, and the deployment waits until the job is ACTIVE', async () => {
  const driver = newDriver();
  const result = await driver.deploy(synth({ key: 'interactions/v1.csv' }), STACK);
  expect(result.ok).toBe(true);

  const [job] = jobs();
  expect(jobs()).toHaveLength(1);
  expect(job.status).toBe('ACTIVE');
  const [dataset] = datasets();
  expect(job.createdAt).toBeGreaterThanOrEqual(dataset.activeAt!);
  const described = await describeJob(job.arn);
  expect(described).toMatchObject({
    datasetArn: dataset.arn,
    dataSource: { dataLocation: locationOf(driver, 'interactions/v1.csv') },
    importMode: 'FULL',
    roleArn: expect.stringMatching(/^arn:aws:iam::123456789012:role\//),
  });
  expect(result.outputs).toEqual({ DatasetArn: dataset.arn, ImportJobArn: job.arn });
  // The deployment completed only after the job did.
  const importDone = driver.record.events.find((e) => e.resourceType === 'Custom::PersonalizeDatasetImport' && e.status === 'CREATE_COMPLETE')!;
  expect(importDone.physicalId).toBe(job.arn);
  expect(emu.activeAt(job.arn)).toBeDefined();
});

test('update with a changed source: a new import job into the same dataset, which keeps its ARN', async () => {
  const driver = newDriver();
  const first = await driver.deploy(synth({ key: 'interactions/v1.csv' }), STACK);
  const second = await driver.update(synth({ key: 'interactions/v2.csv' }), STACK);
  expect(second.ok).toBe(true);

  expect(jobs().map((j) => j.status)).toEqual(['ACTIVE', 'ACTIVE']);
  const latest = jobs()[1];
  expect((await describeJob(latest.arn)).dataSource?.dataLocation).toBe(locationOf(driver, 'interactions/v2.csv'));
  expect(second.outputs.ImportJobArn).toBe(latest.arn);
  expect(second.outputs.DatasetArn).toBe(first.outputs.DatasetArn);
  expect(datasets()).toHaveLength(1);
  expect(emu.counts('personalize')).toMatchObject({ CreateDataset: 1, CreateDatasetImportJob: 2 });
  expect(emu.counts('personalize').DeleteDataset).toBeUndefined();
});

test('update with an unchanged source runs no import job; a new tag is put on the job in place', async () => {
  const driver = newDriver();
  await driver.deploy(synth({ key: 'interactions/v1.csv' }), STACK);
  expect((await driver.update(synth({ key: 'interactions/v1.csv' }), STACK)).ok).toBe(true);
  expect((await driver.update(synth({ key: 'interactions/v1.csv', tag: 'june' }), STACK)).ok).toBe(true);

  expect(emu.counts('personalize').CreateDatasetImportJob).toBe(1);
  const { tags } = await personalize.send(new p.ListTagsForResourceCommand({ resourceArn: jobs()[0].arn }));
  expect(tags).toContainEqual({ tagKey: 'import', tagValue: 'june' });
});

test('a CREATE FAILED import job fails the deployment with the job\'s reason, and the rollback removes the stack', async () => {
  emu.faults.add({ kind: 'fail', operation: 'CreateDatasetImportJob', reason: 'Input CSV is missing the following columns: [TIMESTAMP]' });
  const driver = newDriver();
  const result = await driver.deploy(synth({ key: 'interactions/v1.csv' }), STACK);

  expect(result.ok).toBe(false);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failure).toMatchObject({ resourceType: 'Custom::PersonalizeDatasetImport', status: 'CREATE_FAILED' });
  expect(result.failure!.reason).toContain('is CREATE FAILED: Input CSV is missing the following columns: [TIMESTAMP]');
  expect(jobs().map((j) => j.status)).toEqual(['DELETED']); // gone with its dataset
  expect(emu.resources({ service: 'personalize' }).filter((r) => r.status !== 'DELETED')).toEqual([]);
});

test('a failed import on update rolls the update back; the dataset stays as it was', async () => {
  const driver = newDriver();
  const first = await driver.deploy(synth({ key: 'interactions/v1.csv' }), STACK);
  emu.faults.add({ kind: 'fail', operation: 'CreateDatasetImportJob', reason: 'Access denied for the data location', times: 1 });
  const result = await driver.update(synth({ key: 'interactions/v2.csv' }), STACK);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.failure!.reason).toContain('is CREATE FAILED: Access denied for the data location');
  expect(datasets().map((d) => d.arn)).toEqual([first.outputs.DatasetArn]);
  expect(datasets()[0].status).toBe('ACTIVE');
  // The rollback's Update back to v1 is a replacement too: v1 is imported again by a third job (see
  // DatasetImportOptions.importMode). Its data is the data the dataset held before.
  const statuses = jobs().map((j) => j.status);
  expect(statuses).toEqual(['ACTIVE', 'CREATE FAILED', 'ACTIVE']);
  expect((await describeJob(jobs()[2].arn)).dataSource?.dataLocation).toBe(locationOf(driver, 'interactions/v1.csv'));
});

test('not waiting: the deployment completes while the job runs, and destroying waits for the job before deleting the dataset', async () => {
  emu.faults.add({ kind: 'slow', operation: 'CreateDatasetImportJob', delayMs: 1500 });
  const driver = newDriver();
  const deployed = await driver.deploy(synth({ key: 'interactions/v1.csv', waitForCompletion: false }), STACK);
  expect(deployed.ok).toBe(true);
  const [job] = jobs();
  expect(['CREATE PENDING', 'CREATE IN_PROGRESS']).toContain(job.status);
  expect(deployed.outputs.ImportJobArn).toBe(job.arn);

  const destroyed = await driver.destroy();
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  const importPolls = driver.record.calls.filter((c) => c.operation === 'destroy' && c.handler === 'isComplete'
    && c.event.ResourceType === 'Custom::PersonalizeDatasetImport');
  expect(importPolls.filter((c) => c.result?.IsComplete === false).length).toBeGreaterThan(0); // it waited for the job
  const deleteCalls = emu.calls({ service: 'personalize', operation: 'DeleteDataset' });
  // The dataset's deletion came after the job finished, and was never refused for a running job.
  expect(deleteCalls.length).toBeGreaterThan(0);
  expect(deleteCalls.every((c) => c.error === undefined)).toBe(true);
  expect(deleteCalls[0].time).toBeGreaterThanOrEqual(emu.activeAt(job.arn)!);
  expect(emu.resources({ service: 'personalize' }).every((r) => r.status === 'DELETED')).toBe(true);
});

test('destroy: the import, the dataset, the schema and the group are deleted; the job goes with its dataset', async () => {
  const driver = newDriver();
  await driver.deploy(synth({ key: 'interactions/v1.csv' }), STACK);
  const destroyed = await driver.destroy();
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  expect(emu.resources({ service: 'personalize' }).map((r) => [r.type, r.status])).toEqual([
    ['dataset-group', 'DELETED'], ['schema', 'DELETED'], ['dataset', 'DELETED'], ['dataset-import-job', 'DELETED'],
  ]);
  expect(driver.record.retained.filter((r) => r.resourceType.startsWith('Custom::'))).toEqual([]);
});
