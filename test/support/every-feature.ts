import * as path from 'path';
import { App, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Dataset, DatasetGroup, DatasetGroupDomain, DatasetImportSource, DatasetType, EvaluationDataset, EvaluationDatasetSource,
  EvaluationSchemaType, EventTracker, Schema, SchemaField,
} from '../../src';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const S = SchemaField.string;

/** What a stack with every feature of the library holds, for tests to reach into. */
export interface EveryFeature {
  readonly stack: Stack;
  readonly group: DatasetGroup;
  readonly video: DatasetGroup;
  readonly datasets: Record<string, Dataset>;
  readonly tracker: EventTracker;
  readonly ingest: lambda.Function;
  readonly evaluationDatasets: EvaluationDataset[];
}

export interface EveryFeatureOptions {
  /**
   * The removal policy of every resource of the stack, the library's and the test's own.
   * @default - each construct's default (the library's resources are retained)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A stack with every construct and feature of the library: an encrypted custom group with a
 * dataset of each type (imports from a local file and from a bucket of the app), a domain group,
 * an event tracker handed to a function (PutEvents, PutActionInteractions, PutItems), evaluation
 * datasets from inline examples, a bucket and a local file, imports by ARN and grants. The test's
 * own resources comply with cdk-nag's AwsSolutions pack, so that any finding is the library's.
 */
export function buildEveryFeatureStack(app: App, options: EveryFeatureOptions = {}): EveryFeature {
  const removalPolicy = options.removalPolicy;
  const stack = new Stack(app, 'EveryFeature');

  // The app's own resources: a key, a data bucket (with access logs) and a function.
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy });
  const accessLogs = new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true, removalPolicy });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions::AwsSolutions-S1',
    reason: 'The test app\'s access log bucket: logging its own access would log the logging.',
  });
  const data = new s3.Bucket(stack, 'Data', {
    enforceSSL: true, encryptionKey: key, serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'data/', removalPolicy,
  });
  const ingestLogs = new logs.LogGroup(stack, 'IngestLogs', { removalPolicy });
  const ingestRole = new iam.Role(stack, 'IngestRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  ingestLogs.grantWrite(ingestRole);
  const ingest = new lambda.Function(stack, 'Ingest', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
    role: ingestRole,
    logGroup: ingestLogs,
  });

  // An encrypted custom group with a dataset of each type.
  const group = new DatasetGroup(stack, 'Retail', { encryptionKey: key, removalPolicy });
  const schema = (datasetType: DatasetType, fields: SchemaField[]) =>
    new Schema(stack, `${datasetType.value}Schema`, { datasetType, fields, removalPolicy });
  const datasets: Record<string, Dataset> = {
    interactions: group.addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS,
      schema: schema(DatasetType.INTERACTIONS,
        [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE'), S('DEVICE', { categorical: true, optional: true })]),
      dataImport: { source: DatasetImportSource.fromAsset(path.join(FIXTURES, 'import', 'interactions.csv')) },
    }),
    items: group.addDataset('Items', {
      datasetType: DatasetType.ITEMS,
      schema: schema(DatasetType.ITEMS, [S('ITEM_ID'), S('GENRES', { categorical: true }), SchemaField.long('CREATION_TIMESTAMP')]),
      // A folder import from a bucket of the app.
      dataImport: { source: DatasetImportSource.fromBucket(data, 'items/') },
    }),
    users: group.addDataset('Users', {
      datasetType: DatasetType.USERS,
      schema: schema(DatasetType.USERS, [S('USER_ID'), S('MEMBERSHIP_STATUS', { categorical: true })]),
      dataImport: { source: DatasetImportSource.fromBucket(data, 'users/users.csv') },
    }),
    actions: group.addDataset('Actions', {
      datasetType: DatasetType.ACTIONS,
      schema: schema(DatasetType.ACTIONS, [S('ACTION_ID'), S('MEMBERSHIP_LEVEL', { categorical: true, optional: true })]),
    }),
    actionInteractions: group.addDataset('ActionInteractions', {
      datasetType: DatasetType.ACTION_INTERACTIONS,
      schema: schema(DatasetType.ACTION_INTERACTIONS, [S('USER_ID'), S('ACTION_ID'), S('EVENT_TYPE'), SchemaField.long('TIMESTAMP')]),
    }),
  };
  Tags.of(group).add('team', 'recs');

  // A domain group.
  const video = new DatasetGroup(stack, 'Video', { domain: DatasetGroupDomain.VIDEO_ON_DEMAND, removalPolicy });
  video.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'VideoInteractionsSchema', {
      datasetType: DatasetType.INTERACTIONS,
      domain: DatasetGroupDomain.VIDEO_ON_DEMAND,
      fields: [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE')],
      removalPolicy,
    }),
  });

  // Live interactions: a tracker, and a function that sends events, action interactions and items.
  const tracker = group.addEventTracker('Tracker');
  tracker.grantPutEvents(ingest);
  tracker.grantPutActionInteractions(ingest);
  datasets.items.grantPutRecords(ingest);

  // AgentCore evaluation datasets from every source.
  const predefined = EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1;
  const evaluationDatasets = [
    new EvaluationDataset(stack, 'InlineEval', {
      schemaType: predefined,
      source: EvaluationDatasetSource.fromInline([{ scenario_id: 's1', turns: [{ input: 'hi' }] }]),
      encryptionKey: key,
      removalPolicy,
    }),
    new EvaluationDataset(stack, 'BucketEval', {
      schemaType: predefined, source: EvaluationDatasetSource.fromBucket(data, 'evals/checkout.jsonl'), removalPolicy,
    }),
    new EvaluationDataset(stack, 'AssetEval', {
      schemaType: predefined,
      source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, 'agentcore', 'predefined-valid.jsonl')),
      evaluationDatasetName: 'checkout_eval',
      removalPolicy,
    }),
  ];

  // Existing resources, and read grants.
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  group.grantRead(reader);
  datasets.interactions.grantRead(reader);
  tracker.grantRead(reader);
  for (const evals of evaluationDatasets) evals.grantRead(reader);
  DatasetGroup.fromDatasetGroupArn(stack, 'Existing', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy').grantRead(reader);

  return { stack, group, video, datasets, tracker, ingest, evaluationDatasets };
}
