/**
 * The example app: what users write. `npm run example` synthesizes it into cdk.out/ and lists each
 * stack with its resources.
 */
import * as path from 'path';
import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  DatasetGroup, DatasetGroupDomain, DatasetType, EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType,
  Schema, SchemaField,
} from '../src';

/** The ingest function: one interaction per invocation, sent with PutEvents and the tracker's tracking id. */
const INGEST_CODE = `
const { PersonalizeEventsClient, PutEventsCommand } = require('@aws-sdk/client-personalize-events');
const client = new PersonalizeEventsClient({});
exports.handler = async (event) => client.send(new PutEventsCommand({
  trackingId: process.env.PERSONALIZE_TRACKING_ID,
  userId: event.userId,
  sessionId: event.sessionId,
  eventList: [{ eventType: event.eventType, itemId: event.itemId, sentAt: new Date() }],
}));
`;

export function buildExampleApp(app: App = new App()): App {
  const stack = new Stack(app, 'Recommendations');

  // A custom dataset group, encrypted with a key of ours: Personalize's role and the key policy are wired.
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  const group = new DatasetGroup(stack, 'Retail', { encryptionKey: key });

  // A schema from typed fields, checked at synth time against its dataset type.
  const interactionsSchema = new Schema(stack, 'InteractionsSchema', {
    datasetType: DatasetType.INTERACTIONS,
    fields: [
      SchemaField.string('USER_ID'),
      SchemaField.string('ITEM_ID'),
      SchemaField.long('TIMESTAMP'),
      SchemaField.string('EVENT_TYPE'),
      SchemaField.string('DEVICE', { categorical: true, optional: true }),
    ],
  });
  const interactions = group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: interactionsSchema,
  });

  // Live interactions: an event tracker in the group, and a function that sends events through it.
  // grantPutEvents also hands the function the tracking id, in PERSONALIZE_TRACKING_ID.
  const tracker = group.addEventTracker('Tracker');
  const ingestRole = new iam.Role(stack, 'IngestRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const ingestLogs = new logs.LogGroup(stack, 'IngestLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  ingestLogs.grantWrite(ingestRole);
  const ingest = new lambda.Function(stack, 'Ingest', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(INGEST_CODE),
    role: ingestRole,
    logGroup: ingestLogs,
  });
  tracker.grantPutEvents(ingest);

  // A domain dataset group.
  new DatasetGroup(stack, 'Video', { domain: DatasetGroupDomain.VIDEO_ON_DEMAND });

  // An existing group, imported by ARN.
  const existing = DatasetGroup.fromDatasetGroupArn(stack, 'Existing',
    'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');

  // Grants and tags.
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  group.grantRead(reader);
  interactions.grantRead(reader);
  existing.grantRead(reader);
  Tags.of(group).add('team', 'recs');

  // An AgentCore evaluation dataset from a local JSONL file (staged as an S3 asset).
  const evals = new EvaluationDataset(stack, 'CheckoutEval', {
    schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1,
    source: EvaluationDatasetSource.fromAsset(path.join(__dirname, 'checkout.jsonl')),
    description: 'Checkout agent regression set',
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  evals.grantRead(reader);

  return app;
}

if (require.main === module) {
  const app = buildExampleApp(new App({ outdir: 'cdk.out' }));
  const assembly = app.synth();
  for (const stack of assembly.stacks) {
    const resources: Record<string, { Type: string }> = stack.template.Resources ?? {};
    const counts = new Map<string, number>();
    for (const { Type } of Object.values(resources)) counts.set(Type, (counts.get(Type) ?? 0) + 1);
    console.log(`${stack.stackName}: ${Object.keys(resources).length} resources (${assembly.directory}/${stack.templateFile})`);
    for (const [type, count] of [...counts].sort()) console.log(`  ${String(count).padStart(3)}  ${type}`);
  }
}
