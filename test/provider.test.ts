import * as path from 'path';
import { CfnResource, Duration, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DatasetGroup, DatasetImportSource, DatasetsProvider, DatasetType, EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType,
  EventTracker, Schema, SchemaField,
} from '../src';
import { MAX_WAIT_TIMEOUT_SECONDS, RESOURCES, SERVICE_TIMEOUT_SECONDS } from '../src/contract';
import { buildEveryFeatureStack } from './support/every-feature';
import { providerOf, resourcesOfType, validatingApp } from './support/stack';

const LIBRARY_TYPES = new Set<string>(Object.values(RESOURCES).map((r) => r.type));
const S = SchemaField.string;
const INTERACTIONS_FIELDS = [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE'), S('DEVICE', { categorical: true, optional: true })];
const CSV = path.join(__dirname, 'fixtures', 'import', 'interactions.csv');
const EXAMPLES = [{ scenario_id: 's1', turns: [{ input: 'hi' }] }];

function newStack(id = 'Datasets'): Stack {
  return new Stack(validatingApp(), id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The provider's own CloudFormation resources (its log group, roles, functions, state machine, staging bucket), by logical id. */
function providerResources(stack: Stack): Record<string, any> {
  const provider = providerOf(stack)!;
  const ids = new Set(provider.node.findAll().filter(CfnResource.isCfnResource).map((c) => stack.getLogicalId(c)));
  return Object.fromEntries(Object.entries<any>(Template.fromStack(stack).toJSON().Resources).filter(([id]) => ids.has(id)));
}

function providerLogGroup(stack: Stack): any {
  return providerResources(stack)[stack.getLogicalId(providerOf(stack)!.logGroup.node.defaultChild as CfnResource)];
}

function stagingBucket(stack: Stack): any {
  const bucket = providerOf(stack)!.node.findChild('StagingBucket') as s3.Bucket;
  return providerResources(stack)[stack.getLogicalId(bucket.node.defaultChild as CfnResource)];
}

/** A group with an Interactions dataset importing a local file: the provider then has its staging bucket. */
function importingGroup(stack: Stack, removalPolicy?: RemovalPolicy): DatasetGroup {
  const group = new DatasetGroup(stack, 'Retail', { removalPolicy });
  group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS, removalPolicy }),
    dataImport: { source: DatasetImportSource.fromAsset(CSV) },
  });
  return group;
}

function handlerStatements(stack: Stack): any[] {
  const handlerRole = stack.getLogicalId(providerOf(stack)!.handlerRole.node.defaultChild as CfnResource);
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: handlerRole }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('one provider per stack, whatever the mix', () => {
  test('a stack with every construct has one provider: one waiter, one log group, one handler role, one onEvent and one isComplete', () => {
    const { stack } = buildEveryFeatureStack(validatingApp());
    const template = Template.fromStack(stack).toJSON();
    // What is counted is what a second provider would add again: the Provider framework's waiter
    // state machine (the stack has no other), the provider's log group, the role the handlers run
    // with, and the two handler functions. Each exists once however many constructs share them.
    expect(stack.node.findAll().filter((c) => c instanceof DatasetsProvider)).toHaveLength(1);
    expect(resourcesOfType(template, 'AWS::StepFunctions::StateMachine')).toBe(1);
    expect(resourcesOfType({ Resources: providerResources(stack) }, 'AWS::Logs::LogGroup')).toBe(1);
    const handlerRoles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Description: 'cdk-datasets: Runs the cdk-datasets handlers' } });
    expect(Object.keys(handlerRoles)).toHaveLength(1);
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      expect(Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }))).toHaveLength(1);
    }
    // ...while every resource of the library is a custom resource of its own, served by that provider.
    const serviceToken = stack.resolve(providerOf(stack)!.serviceToken);
    const custom = Object.values<any>(template.Resources).filter((r) => LIBRARY_TYPES.has(r.Type));
    expect(new Set(custom.map((r) => r.Type))).toEqual(LIBRARY_TYPES);
    for (const resource of custom) expect(resource.Properties.ServiceToken).toEqual(serviceToken);
  });

  test('a Personalize-only and an AgentCore-only stack have the same provider as a mixed one', () => {
    const shape = (build: (stack: Stack) => void) => {
      const stack = newStack();
      build(stack);
      return Object.values<any>(providerResources(stack)).filter((r) => r.Type !== 'AWS::S3::Bucket').map((r) => r.Type).sort();
    };
    const personalize = shape((stack) => new DatasetGroup(stack, 'Retail'));
    const agentcore = shape((stack) => new EvaluationDataset(stack, 'Evals', {
      schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1, source: EvaluationDatasetSource.fromInline(EXAMPLES),
    }));
    const mixed = shape((stack) => {
      new DatasetGroup(stack, 'Retail').addEventTracker('Tracker');
      new EvaluationDataset(stack, 'Evals', {
        schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1, source: EvaluationDatasetSource.fromInline(EXAMPLES),
      });
    });
    expect(agentcore).toEqual(personalize);
    expect(mixed).toEqual(personalize);
  });

  test('each stack of an app has its own provider', () => {
    const app = validatingApp();
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');
    new DatasetGroup(one, 'Retail');
    new DatasetGroup(two, 'Retail');
    expect(providerOf(one)).toBeDefined();
    expect(providerOf(two)).toBeDefined();
    expect(providerOf(one)).not.toBe(providerOf(two));
    expect(DatasetsProvider.of(one.node.findChild('Retail'))).toBe(providerOf(one));
  });

  test('the staging bucket exists only in a stack that imports a local file', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Retail');
    expect(providerOf(stack)!.node.tryFindChild('StagingBucket')).toBeUndefined();
    expect(resourcesOfType(Template.fromStack(stack).toJSON(), 'AWS::S3::Bucket')).toBe(0);
  });
});

describe('DatasetsProvider.configure', () => {
  test('defaults: logs kept three months', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Retail');
    expect(providerLogGroup(stack).Properties.RetentionInDays).toBe(90);
  });

  test('log retention, before any construct: the constructs use the configured provider', () => {
    const stack = newStack();
    const provider = DatasetsProvider.configure(stack, { logRetention: logs.RetentionDays.ONE_MONTH });
    new DatasetGroup(stack, 'Retail');
    expect(providerOf(stack)).toBe(provider);
    expect(providerLogGroup(stack).Properties.RetentionInDays).toBe(30);
  });

  test('after the constructs, from any scope in the stack, it configures the same provider', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    const provider = DatasetsProvider.configure(group, { logRetention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
    expect(provider).toBe(providerOf(stack));
    expect(stack.node.findAll().filter((c) => c instanceof DatasetsProvider)).toHaveLength(1);
    const logGroup = providerLogGroup(stack);
    expect(logGroup.Properties.RetentionInDays).toBe(7);
    expect(logGroup.DeletionPolicy).toBe('Delete');
  });

  test('infinite retention: no RetentionInDays', () => {
    const stack = newStack();
    DatasetsProvider.configure(stack, { logRetention: logs.RetentionDays.INFINITE });
    new DatasetGroup(stack, 'Retail');
    expect(providerLogGroup(stack).Properties?.RetentionInDays).toBeUndefined();
  });

  test('configure twice is an error that says to configure once', () => {
    const stack = newStack();
    DatasetsProvider.configure(stack, { logRetention: logs.RetentionDays.ONE_MONTH });
    expect(() => DatasetsProvider.configure(stack, { removalPolicy: RemovalPolicy.DESTROY })).toThrow(
      '[Datasets/CdkDatasetsProvider] DatasetsProvider.configure is called twice for stack Datasets; ' +
      'configure the stack\'s provider once, with every setting');
  });

  test('a configured removal policy wins over the default, both ways', () => {
    const retainedGroup = newStack();
    importingGroup(retainedGroup, RemovalPolicy.RETAIN);
    DatasetsProvider.configure(retainedGroup, { removalPolicy: RemovalPolicy.DESTROY });
    expect(providerLogGroup(retainedGroup).DeletionPolicy).toBe('Delete');
    expect(stagingBucket(retainedGroup).DeletionPolicy).toBe('Delete');

    const destroyedGroup = newStack();
    importingGroup(destroyedGroup, RemovalPolicy.DESTROY);
    DatasetsProvider.configure(destroyedGroup, { removalPolicy: RemovalPolicy.RETAIN });
    expect(providerLogGroup(destroyedGroup).DeletionPolicy).toBe('Retain');
    expect(stagingBucket(destroyedGroup).DeletionPolicy).toBe('Retain');
  });
});

describe('removal policy of the provider\'s log group and staging bucket', () => {
  test('every construct DESTROY: no resource of the stack is retained, the library\'s included', () => {
    // Every resource of the test's stack says DESTROY too, so nothing in the template may say Retain.
    const { stack } = buildEveryFeatureStack(validatingApp(), { removalPolicy: RemovalPolicy.DESTROY });
    const resources = Object.entries<any>(Template.fromStack(stack).toJSON().Resources);
    expect(resources.filter(([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain').map(([id]) => id)).toEqual([]);
    expect(providerLogGroup(stack).DeletionPolicy).toBe('Delete');
    expect(stagingBucket(stack).DeletionPolicy).toBe('Delete');
    for (const [, resource] of resources.filter(([, r]) => LIBRARY_TYPES.has(r.Type))) expect(resource.DeletionPolicy).toBe('Delete');
  });

  test('every construct DESTROY through RemovalPolicies.of(stack): the provider follows too', () => {
    const stack = newStack();
    importingGroup(stack);
    new EvaluationDataset(stack, 'Evals', {
      schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1, source: EvaluationDatasetSource.fromInline(EXAMPLES),
    });
    RemovalPolicies.of(stack).destroy();
    expect(providerLogGroup(stack).DeletionPolicy).toBe('Delete');
    expect(stagingBucket(stack).DeletionPolicy).toBe('Delete');
  });

  test.each([
    ['the group (and so its datasets and tracker) by default', (stack: Stack) => {
      importingGroup(stack).addEventTracker('Tracker');
    }],
    ['one evaluation dataset by default, among destroyed Personalize resources', (stack: Stack) => {
      importingGroup(stack, RemovalPolicy.DESTROY).addEventTracker('Tracker');
      new EvaluationDataset(stack, 'Evals', {
        schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1, source: EvaluationDatasetSource.fromInline(EXAMPLES),
      });
    }],
    ['one schema retained under a destroyed dataset', (stack: Stack) => {
      const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
      group.addDataset('Interactions', {
        datasetType: DatasetType.INTERACTIONS,
        schema: new Schema(stack, 'InteractionsSchema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS }),
        dataImport: { source: DatasetImportSource.fromAsset(CSV) },
      });
    }],
  ])('one construct retained (%s): the log group and staging bucket are retained', (_what, build) => {
    const stack = newStack();
    build(stack);
    expect(providerLogGroup(stack).DeletionPolicy).toBe('Retain');
    expect(stagingBucket(stack).DeletionPolicy).toBe('Retain');
  });
});

describe('waits end before CloudFormation\'s hour', () => {
  const build: Array<[string, (stack: Stack, waitTimeout: Duration) => void]> = [
    ['DatasetGroup', (stack, waitTimeout) => new DatasetGroup(stack, 'Retail', { waitTimeout })],
    ['Schema', (stack, waitTimeout) => new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS, waitTimeout })],
    ['Dataset', (stack, waitTimeout) => new DatasetGroup(stack, 'Retail').addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS, schema: new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS }), waitTimeout,
    })],
    ['dataset import', (stack, waitTimeout) => new DatasetGroup(stack, 'Retail').addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS,
      schema: new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS }),
      dataImport: { source: DatasetImportSource.fromAsset(CSV), waitTimeout },
    })],
    ['EventTracker', (stack, waitTimeout) => new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Retail'), waitTimeout })],
    ['EvaluationDataset', (stack, waitTimeout) => new EvaluationDataset(stack, 'Evals', {
      schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1, source: EvaluationDatasetSource.fromInline(EXAMPLES), waitTimeout,
    })],
  ];

  test.each(build)('%s: a wait of 56 minutes is refused, 55 minutes is taken', (_name, make) => {
    expect(() => make(newStack(), Duration.minutes(56))).toThrow(
      'waitTimeout is 3360 seconds; it must be from 1 second to 55 minutes (CloudFormation gives a custom resource an hour at ' +
      'most, and the wait must end before it does)');
    const stack = newStack();
    make(stack, Duration.minutes(55));
    const waits = Object.values<any>(Template.fromStack(stack).toJSON().Resources)
      .filter((r) => LIBRARY_TYPES.has(r.Type)).map((r) => r.Properties.WaitTimeoutSeconds);
    expect(waits).toContain(MAX_WAIT_TIMEOUT_SECONDS);
  });

  test('every custom resource of the library has ServiceTimeout 3600 and a wait bound within the cap', () => {
    const { stack } = buildEveryFeatureStack(validatingApp());
    const custom = Object.values<any>(Template.fromStack(stack).toJSON().Resources).filter((r) => LIBRARY_TYPES.has(r.Type));
    expect(custom.length).toBeGreaterThan(0);
    for (const resource of custom) {
      expect(resource.Properties.ServiceTimeout).toBe(String(SERVICE_TIMEOUT_SECONDS));
      expect(resource.Properties.WaitTimeoutSeconds).toBeLessThanOrEqual(MAX_WAIT_TIMEOUT_SECONDS);
    }
  });

  test('the Provider framework waits longer than any resource\'s own bound, so that the handler\'s bound ends a wait first', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Retail');
    const machines = Object.values<any>(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const definition = JSON.parse((stack.resolve(machines[0].Properties.DefinitionString)['Fn::Join'][1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : '<arn>')).join(''));
    const [retry] = definition.States['framework-isComplete-task'].Retry;
    expect(retry.BackoffRate).toBe(1);
    // The Provider's total timeout: isComplete is called every IntervalSeconds, MaxAttempts times.
    const totalTimeoutSeconds = retry.MaxAttempts * retry.IntervalSeconds;
    expect(totalTimeoutSeconds).toBeGreaterThan(MAX_WAIT_TIMEOUT_SECONDS);
    expect(totalTimeoutSeconds).toBeLessThanOrEqual(SERVICE_TIMEOUT_SECONDS);
  });
});

describe('the handler role\'s grants, as IAM authorizes each call', () => {
  const arnOf = (service: string, resource: string) =>
    ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}/*`]] });
  const allows = (statements: any[], action: string, resource: unknown) => statements.some((s) => s.Effect === 'Allow'
    && [s.Action].flat().includes(action) && JSON.stringify([s.Resource].flat()).includes(JSON.stringify(resource)));
  let statements: any[];
  beforeAll(() => {
    statements = handlerStatements(buildEveryFeatureStack(validatingApp()).stack);
  });

  test.each([
    // Create calls are authorized against the new resource and its parent: both resource types are required.
    ['personalize:CreateDataset', 'dataset'],
    ['personalize:CreateDataset', 'dataset-group'],
    ['personalize:CreateDatasetImportJob', 'dataset-import-job'],
    ['personalize:CreateDatasetImportJob', 'dataset'],
    ['personalize:CreateEventTracker', 'event-tracker'],
    ['personalize:CreateEventTracker', 'dataset-group'],
    ['personalize:CreateDatasetGroup', 'dataset-group'],
    ['personalize:CreateSchema', 'schema'],
  ])('%s on the %s ARN pattern', (action, resource) => {
    expect(allows(statements, action, arnOf('personalize', resource))).toBe(true);
  });

  test('AgentCore: TagResource and UntagResource on "*" (the reference lists no dataset type for them); no ListTagsForResource', () => {
    expect(allows(statements, 'bedrock-agentcore:TagResource', '*')).toBe(true);
    expect(allows(statements, 'bedrock-agentcore:UntagResource', '*')).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('bedrock-agentcore:ListTagsForResource');
    expect(allows(statements, 'bedrock-agentcore:GetDataset', arnOf('bedrock-agentcore', 'dataset'))).toBe(true);
  });
});
