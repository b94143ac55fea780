import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildExampleApp } from '../examples/app';
import { DatasetGroup, DatasetType, EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType, Schema, SchemaField } from '../src';
import { synthFindings, validatingApp } from './support/stack';

test('the example app has no cdk-nag finding and passes CloudFormation schema validation', () => {
  const findings = synthFindings(buildExampleApp(validatingApp()));
  expect(findings).toBe('');
});

test('acknowledgments stay on the library\'s constructs: a user\'s own wildcard policy is still reported', () => {
  const app = buildExampleApp(validatingApp());
  const stack = app.node.findChild('Recommendations') as Stack;
  const role = new iam.Role(stack, 'UserRole', { assumedBy: new iam.AccountRootPrincipal() });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['personalize:*'], resources: ['*'] }));
  const findings = synthFindings(app);
  expect(findings).toContain('Recommendations/UserRole/DefaultPolicy/Resource');
  expect(findings).toContain('AwsSolutions-IAM5[Action::personalize:*]');
  expect(findings).not.toContain('CdkDatasets');
});

test('every acknowledgment names a specific rule and finding, with a reason', () => {
  const app = buildExampleApp(validatingApp());
  const stack = app.node.findChild('Recommendations') as Stack;
  const acknowledged = stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))));
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const ack of acknowledged) {
    expect(ack.path).toMatch(/\/CdkDatasets[A-Za-z]+Provider\//);
    expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-(IAM5\[Resource::.+\]|SF2)$/);
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
  new EvaluationDataset(stack, 'Evals', {
    schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1,
    source: EvaluationDatasetSource.fromInline([{ scenario_id: 's1', turns: [{ input: 'hi' }] }]),
  });
  expect(synthFindings(app)).toBe('');
});
