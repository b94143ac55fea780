import { CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { buildExampleApp } from '../examples/app';
import {
  Dataset, DatasetGroup, DatasetsProvider, DatasetType, EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType, EventTracker,
  Schema, SchemaField,
} from '../src';
import { buildEveryFeatureStack } from './support/every-feature';
import { synthFindings, validatingApp } from './support/stack';

/** The acknowledgments recorded in a stack: where, which finding, why. */
function acknowledgmentsOf(stack: Stack): Array<{ path: string; id: string; reason: string }> {
  return stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))));
}

/** The constructs of the library in a stack, whose subtrees hold its own resources. */
function libraryConstructs(stack: Stack): IConstruct[] {
  return stack.node.findAll().filter((c) => c instanceof DatasetsProvider || c instanceof DatasetGroup || c instanceof Dataset
    || c instanceof Schema || c instanceof EventTracker || c instanceof EvaluationDataset);
}

/** A user's own wildcard policy and an unencrypted bucket without access logs: findings that must be reported. */
function addUsersOwnFindings(stack: Stack): void {
  const role = new iam.Role(stack, 'UserRole', { assumedBy: new iam.AccountRootPrincipal() });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['personalize:*'], resources: ['*'] }));
  new s3.Bucket(stack, 'UserBucket');
}

test('the example app has no cdk-nag finding and passes CloudFormation schema validation', () => {
  const findings = synthFindings(buildExampleApp(validatingApp()));
  expect(findings).toBe('');
});

describe('a stack with every feature: imports from a local file and from a bucket, trackers, grants, every source', () => {
  test('no cdk-nag finding from the library, and CloudFormation schema validation passes', () => {
    // validatingApp: a CloudFormation schema finding fails synthesis as well.
    const app = validatingApp();
    buildEveryFeatureStack(app);
    expect(synthFindings(app)).toBe('');
  });

  test('the same with every resource destroyed with the stack', () => {
    const app = validatingApp();
    buildEveryFeatureStack(app, { removalPolicy: RemovalPolicy.DESTROY });
    expect(synthFindings(app)).toBe('');
  });

  test('a user\'s own wildcard policy and bucket are still reported, and nothing of the library is', () => {
    const app = validatingApp();
    const { stack } = buildEveryFeatureStack(app);
    addUsersOwnFindings(stack);
    const findings = synthFindings(app);
    expect(findings).toContain('EveryFeature/UserRole/DefaultPolicy/Resource');
    expect(findings).toContain('AwsSolutions-IAM5[Action::personalize:*]');
    expect(findings).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(findings).toContain('EveryFeature/UserBucket/Resource');
    for (const construct of libraryConstructs(stack)) expect(findings).not.toContain(`${construct.node.path}/`);
    expect(findings).not.toContain('CdkDatasets');
  });

  test('every acknowledgment is on the library\'s own constructs, or on a grantee\'s policy for what IAM allows only on "*"', () => {
    const { stack, ingest } = buildEveryFeatureStack(validatingApp());
    const library = libraryConstructs(stack).map((c) => `${c.node.path}/`);
    const granteePolicy = `${ingest.role!.node.path}/DefaultPolicy`;
    const acknowledged = acknowledgmentsOf(stack).filter((ack) => !ack.path.startsWith(`${stack.node.path}/AccessLogs`)); // the test app's own
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(ack.reason.length).toBeGreaterThan(40);
      if (ack.path === granteePolicy) {
        // grantPutEvents / grantPutActionInteractions: that one finding, on that policy only.
        expect(ack.id).toBe('AwsSolutions::AwsSolutions-IAM5[Resource::*]');
        expect(ack.reason).toMatch(/personalize:Put(Events|ActionInteractions) has no resource type/);
        continue;
      }
      expect(library.some((prefix) => `${ack.path}/`.startsWith(prefix))).toBe(true);
      expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-(IAM5\[Resource::.+\]|SF2|S1)$/);
    }
  });
});

test('acknowledgments stay on the library\'s constructs: a user\'s own wildcard policy in the example app is still reported', () => {
  const app = buildExampleApp(validatingApp());
  const stack = app.node.findChild('Recommendations') as Stack;
  addUsersOwnFindings(stack);
  const findings = synthFindings(app);
  expect(findings).toContain('Recommendations/UserRole/DefaultPolicy/Resource');
  expect(findings).toContain('AwsSolutions-IAM5[Action::personalize:*]');
  expect(findings).not.toContain('CdkDatasets');
});

test('every acknowledgment of the example app names a specific rule and finding, with a reason', () => {
  const stack = buildExampleApp(validatingApp()).node.findChild('Recommendations') as Stack;
  const acknowledged = acknowledgmentsOf(stack);
  expect(acknowledged.length).toBeGreaterThan(0);
  const library = libraryConstructs(stack).map((c) => `${c.node.path}/`);
  // The ingest function's role: grantPutEvents acknowledges that one finding on it, for what IAM allows only on "*".
  const granteePolicy = `${stack.node.path}/IngestRole/DefaultPolicy`;
  expect(acknowledged.filter((ack) => ack.path === granteePolicy)).toEqual([{
    path: granteePolicy, id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: expect.stringMatching(/personalize:PutEvents has no resource type/),
  }]);
  for (const ack of acknowledged.filter((a) => a.path !== granteePolicy)) {
    expect(library.some((prefix) => `${ack.path}/`.startsWith(prefix))).toBe(true);
    expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-(IAM5\[Resource::.+\]|SF2|S1)$/);
    expect(ack.reason.length).toBeGreaterThan(40);
  }
});

test('acknowledgments also match in a stack with an explicit account and region', () => {
  const app = validatingApp();
  const stack = new Stack(app, 'Pinned', { env: { account: '123456789012', region: 'eu-west-1' } });
  const group = new DatasetGroup(stack, 'Group');
  group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'Schema', {
      datasetType: DatasetType.INTERACTIONS,
      fields: [SchemaField.string('USER_ID'), SchemaField.string('ITEM_ID'), SchemaField.long('TIMESTAMP')],
    }),
  });
  group.addEventTracker('Tracker');
  new EvaluationDataset(stack, 'Evals', {
    schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1,
    source: EvaluationDatasetSource.fromInline([{ scenario_id: 's1', turns: [{ input: 'hi' }] }]),
  });
  expect(synthFindings(app)).toBe('');
});

describe('CloudFormation schema validation in the tests (one engine per rule set, shared by the test files of a worker)', () => {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const badTemplate = () => {
    const app = validatingApp();
    // A property the schema of AWS::IAM::Role does not have.
    new CfnResource(new Stack(app, 'Bad'), 'Role', { type: 'AWS::IAM::Role', properties: { AssumeRolePolicyDocument: trust, NotAProperty: 1 } });
    return app;
  };

  test.each([1, 2])('a template with a property its resource type does not have fails synthesis (run %d, engine reused)', () => {
    expect(() => badTemplate().synth()).toThrow(/NotAProperty/);
  });

  test('a correct template of the same types passes with the same engine', () => {
    const app = validatingApp();
    new CfnResource(new Stack(app, 'Good'), 'Role', { type: 'AWS::IAM::Role', properties: { AssumeRolePolicyDocument: trust } });
    expect(() => app.synth()).not.toThrow();
  });
});
