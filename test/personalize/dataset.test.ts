import { CfnElement, Duration, Fn, RemovalPolicies, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  Dataset, DatasetGroup, DatasetGroupDomain, DatasetType, ISchema, Schema, SchemaField,
} from '../../src';
import { serviceTokenOf, snapshotTemplate, validatingApp } from '../support/stack';

const TYPE = 'Custom::PersonalizeDataset';
const S = SchemaField.string;

function newStack(): Stack {
  return new Stack(validatingApp(), 'Recommendations', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The logical id of a construct's custom resource. */
function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.findChild('Resource').node.defaultChild as CfnElement);
}

/** Schemas as the developer guide documents them, one per dataset type, for a custom group or a domain. */
function schemaFor(scope: Stack, id: string, datasetType: DatasetType, domain?: DatasetGroupDomain,
  removalPolicy?: RemovalPolicy): Schema {
  const fields: Record<string, SchemaField[]> = {
    INTERACTIONS: [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE'), S('DEVICE', { categorical: true, optional: true })],
    ITEMS: domain === DatasetGroupDomain.ECOMMERCE
      ? [S('ITEM_ID'), SchemaField.float('PRICE'), S('CATEGORY_L1', { categorical: true }), S('PRODUCT_DESCRIPTION', { textual: true, optional: true })]
      : [S('ITEM_ID'), S('GENRES', { categorical: true }), SchemaField.long('CREATION_TIMESTAMP')],
    USERS: [S('USER_ID'), S('MEMBERSHIP_STATUS', { categorical: true })],
    ACTIONS: [S('ACTION_ID'), S('MEMBERSHIP_LEVEL', { categorical: true, optional: true }), SchemaField.long('VALUE', { optional: true })],
    ACTION_INTERACTIONS: [S('USER_ID'), S('ACTION_ID'), S('EVENT_TYPE'), SchemaField.long('TIMESTAMP')],
  };
  return new Schema(scope, id, { datasetType, domain, fields: fields[datasetType.key], removalPolicy });
}

const ALL_TYPES = [DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS, DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS];

describe('Dataset', () => {
  test('the design usage: group.addDataset with a schema, read access granted', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    const schema = schemaFor(stack, 'InteractionsSchema', DatasetType.INTERACTIONS);
    const interactions = group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    interactions.grantRead(reader);

    const template = Template.fromStack(stack);
    template.hasResource(TYPE, {
      Properties: {
        ServiceToken: serviceTokenOf(stack),
        ServiceTimeout: '3600',
        // References: the dataset is created once the group is ACTIVE (its custom resource completes
        // only then) and the schema exists, and deleted before both.
        DatasetGroupArn: { Ref: logicalId(group) },
        DatasetType: 'Interactions',
        SchemaArn: { Ref: logicalId(schema) },
        Name: Match.absent(),
        Tags: Match.absent(),
        WaitTimeoutSeconds: 1800,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Stack.of(reader).getLogicalId(reader.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [{
          Action: ['personalize:DescribeDataset', 'personalize:ListTagsForResource'],
          Effect: 'Allow',
          Resource: { Ref: logicalId(interactions) },
        }],
      },
    });
    expect(interactions.node.path).toBe('Recommendations/Retail/Interactions');
    expect(interactions.datasetGroup).toBe(group);
    expect(interactions.schema).toBe(schema);
  });

  test('new Dataset is the same as addDataset', () => {
    const a = newStack();
    const groupA = new DatasetGroup(a, 'Retail');
    groupA.addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(a, 'UsersSchema', DatasetType.USERS) });
    const b = newStack();
    const groupB = new DatasetGroup(b, 'Retail');
    new Dataset(b, 'Users', { datasetGroup: groupB, datasetType: DatasetType.USERS, schema: schemaFor(b, 'UsersSchema', DatasetType.USERS) });
    const properties = (s: Stack) => Object.values(Template.fromStack(s).findResources(TYPE))[0];
    expect(properties(b)).toEqual(properties(a));
  });

  test('name, wait bound and removal policy', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    const dataset = group.addDataset('Items', {
      datasetType: DatasetType.ITEMS,
      schema: schemaFor(stack, 'ItemsSchema', DatasetType.ITEMS),
      datasetName: 'retail-items',
      waitTimeout: Duration.minutes(45),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResource(TYPE, {
      Properties: { Name: 'retail-items', DatasetType: 'Items', WaitTimeoutSeconds: 2700 },
      DeletionPolicy: 'Delete',
    });
    expect(dataset.datasetName).toBe('retail-items');
    expect(dataset.removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  test('attributes: the ARN is the physical id, a generated name comes from the handler', () => {
    const stack = newStack();
    const dataset = new DatasetGroup(stack, 'Retail')
      .addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) });
    expect(stack.resolve(dataset.datasetArn)).toEqual({ Ref: logicalId(dataset) });
    expect(stack.resolve(dataset.datasetName)).toEqual({ 'Fn::GetAtt': [logicalId(dataset), 'DatasetName'] });
    expect(dataset.datasetType).toBe(DatasetType.USERS);
  });

  test('a dataset type given in another case is the known type', () => {
    const stack = newStack();
    new DatasetGroup(stack, 'Retail')
      .addDataset('Users', { datasetType: DatasetType.of('USERS'), schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) });
    Template.fromStack(stack).hasResourceProperties(TYPE, { DatasetType: 'Users' });
  });

  test('a dataset type this library does not know is passed on', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { datasetType: DatasetType.of('Item_Embeddings'), fields: [S('ITEM_ID')] });
    new DatasetGroup(stack, 'Retail').addDataset('Embeddings', { datasetType: DatasetType.of('Item_Embeddings'), schema });
    Template.fromStack(stack).hasResourceProperties(TYPE, { DatasetType: 'Item_Embeddings' });
  });

  describe('removal policy', () => {
    test('a dataset made with addDataset takes its group\'s removal policy', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
      const dataset = group.addDataset('Users', {
        datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS, undefined, RemovalPolicy.DESTROY),
      });
      expect(dataset.removalPolicy).toBe(RemovalPolicy.DESTROY);
      Template.fromStack(stack).hasResource(TYPE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    });

    test('new Dataset in a group of this app takes its group\'s too; in an imported group it is retained', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
      const schema = schemaFor(stack, 'UsersSchema', DatasetType.USERS);
      const inGroup = new Dataset(stack, 'Users', { datasetGroup: group, datasetType: DatasetType.USERS, schema });
      const imported = DatasetGroup.fromDatasetGroupArn(stack, 'Legacy', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');
      const inImport = new Dataset(stack, 'LegacyUsers', { datasetGroup: imported, datasetType: DatasetType.USERS, schema });
      expect(inGroup.removalPolicy).toBe(RemovalPolicy.DESTROY);
      expect(inImport.removalPolicy).toBe(RemovalPolicy.RETAIN);
      // A destroyed dataset may use a retained schema.
      expect(() => Template.fromStack(stack)).not.toThrow();
    });

    test('a retained dataset in a destroyed group is an error: the group could not be deleted', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
      group.addDataset('Users', {
        datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS), removalPolicy: RemovalPolicy.RETAIN,
      });
      expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/Retail\/Users\] removalPolicy: this dataset is retained but its dataset group Recommendations\/Retail is destroyed; Personalize cannot delete a dataset group that still holds a dataset/);
    });

    test('a destroyed schema under a retained dataset is an error: the schema could not be deleted', () => {
      const stack = newStack();
      const schema = schemaFor(stack, 'UsersSchema', DatasetType.USERS, undefined, RemovalPolicy.DESTROY);
      new DatasetGroup(stack, 'Retail').addDataset('Users', { datasetType: DatasetType.USERS, schema });
      expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/Retail\/Users\] removalPolicy: this dataset is retained but its schema Recommendations\/UsersSchema is destroyed; Personalize cannot delete a schema that a dataset still uses/);
    });

    test('the check sees removal policies that aspects apply', () => {
      const stack = newStack();
      const group = new DatasetGroup(stack, 'Retail');
      group.addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) });
      RemovalPolicies.of(group.node.findChild('Resource')).destroy();
      expect(() => Template.fromStack(stack)).toThrow(/its dataset group Recommendations\/Retail is destroyed/);
    });

    test('everything destroyed, or a destroyed dataset over retained group and schema, is fine', () => {
      const stack = newStack();
      const destroyed = new DatasetGroup(stack, 'Temp', { removalPolicy: RemovalPolicy.DESTROY });
      destroyed.addDataset('Users', {
        datasetType: DatasetType.USERS, schema: schemaFor(stack, 'TempUsers', DatasetType.USERS, undefined, RemovalPolicy.DESTROY),
      });
      const retained = new DatasetGroup(stack, 'Retail');
      retained.addDataset('Users', {
        datasetType: DatasetType.USERS, schema: schemaFor(stack, 'RetailUsers', DatasetType.USERS), removalPolicy: RemovalPolicy.DESTROY,
      });
      expect(() => Template.fromStack(stack)).not.toThrow();
    });
  });

  test('tags on the group or the dataset are applied to the dataset', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    const dataset = group.addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) });
    Tags.of(group).add('team', 'recs');
    Tags.of(dataset).add('data', 'users');
    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: [{ Key: 'data', Value: 'users' }, { Key: 'team', Value: 'recs' }] });
  });

  test('tags are checked against Personalize\'s rules', () => {
    const stack = newStack();
    const dataset = new DatasetGroup(stack, 'Retail')
      .addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) });
    Tags.of(dataset).add('aws:reserved', 'x');
    expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/Retail\/Users\] tag key "aws:reserved" uses the reserved prefix "aws:"/);
  });

  test('one provider for the stack; the handler manages and tags datasets of this account and region, and reads schemas', () => {
    const groupOnly = newStack();
    new DatasetGroup(groupOnly, 'Retail');
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    for (const type of ALL_TYPES) group.addDataset(type.value, { datasetType: type, schema: schemaFor(stack, `${type.value}Schema`, type) });
    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 5);
    // Every function of the stack, the Provider framework's included: five datasets add none.
    const functions = (s: Stack) => Object.keys(Template.fromStack(s).findResources('AWS::Lambda::Function')).length;
    expect(functions(stack)).toBe(functions(groupOnly));
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:us-east-1:123456789012:${resource}/*`]] });
    expect(statements).toContainEqual({
      Action: [
        'personalize:CreateDataset', 'personalize:DescribeDataset', 'personalize:UpdateDataset', 'personalize:DeleteDataset',
        'personalize:TagResource', 'personalize:UntagResource', 'personalize:ListTagsForResource',
      ],
      Effect: 'Allow',
      Resource: arn('dataset'),
    });
    expect(statements).toContainEqual({ Action: 'personalize:DescribeSchema', Effect: 'Allow', Resource: arn('schema') });
    // CreateDataset is authorized against the dataset and its group (both resource types required):
    // the group by its ARN pattern, as naming the group's own ARN would make a dependency cycle.
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['personalize:CreateDataset']), Effect: 'Allow', Resource: arn('dataset-group'),
    }));
  });

  test('grant', () => {
    const stack = newStack();
    const dataset = new DatasetGroup(stack, 'Retail')
      .addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) });
    const role = new iam.Role(stack, 'Importer', { assumedBy: new iam.AccountRootPrincipal() });
    dataset.grant(role, 'personalize:CreateDatasetImportJob');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'personalize:CreateDatasetImportJob', Resource: { Ref: logicalId(dataset) } }] },
    });
  });
});

describe('grantPutRecords', () => {
  test.each([
    [DatasetType.ITEMS, 'personalize:PutItems'],
    [DatasetType.USERS, 'personalize:PutUsers'],
    [DatasetType.ACTIONS, 'personalize:PutActions'],
  ])('a %s dataset: %s on the dataset\'s ARN', (datasetType, action) => {
    const stack = newStack();
    const dataset = new DatasetGroup(stack, 'Retail').addDataset('Data', { datasetType, schema: schemaFor(stack, 'Schema', datasetType) });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    expect(dataset.grantPutRecords(writer).success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Writer') }],
      PolicyDocument: { Statement: [{ Action: action, Effect: 'Allow', Resource: { Ref: logicalId(dataset) } }] },
    });
  });

  test('an imported Items dataset: PutItems on its ARN', () => {
    const stack = newStack();
    const arn = 'arn:aws:personalize:us-east-1:123456789012:dataset/legacy/ITEMS';
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    Dataset.fromDatasetArn(stack, 'Imported', arn).grantPutRecords(writer);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'personalize:PutItems', Effect: 'Allow', Resource: arn }] },
    });
  });

  test.each([
    [DatasetType.INTERACTIONS, /^\[Recommendations\/Retail\/Data\] grantPutRecords: Interactions datasets take no PutItems, PutUsers or PutActions records; their interactions go through an event tracker: give the grantee tracker\.grantPutEvents instead$/],
    [DatasetType.ACTION_INTERACTIONS, /^\[Recommendations\/Retail\/Data\] grantPutRecords: Action_Interactions datasets take no PutItems, PutUsers or PutActions records; their interactions go through an event tracker: give the grantee tracker\.grantPutEvents or tracker\.grantPutActionInteractions instead$/],
  ])('a %s dataset is refused with a message that points to the tracker', (datasetType, message) => {
    const stack = newStack();
    const dataset = new DatasetGroup(stack, 'Retail').addDataset('Data', { datasetType, schema: schemaFor(stack, 'Schema', datasetType) });
    expect(() => dataset.grantPutRecords(new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() }))).toThrow(message);
  });

  test('a type the library does not know, or one only known at deploy time, is refused for what it is', () => {
    const stack = newStack();
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    const future = Dataset.fromDatasetArn(stack, 'Future', 'arn:aws:personalize:us-east-1:123456789012:dataset/legacy/ITEM_EMBEDDINGS');
    expect(() => future.grantPutRecords(writer))
      .toThrow(/grantPutRecords: ITEM_EMBEDDINGS datasets take no PutItems, PutUsers or PutActions records; only Items, Users and Actions datasets do/);
    const token = Dataset.fromDatasetArn(stack, 'Token', Fn.importValue('DatasetArn'));
    expect(() => token.grantPutRecords(writer)).toThrow(/the dataset's type is not known at synth time .*give datasetType to Dataset\.fromDatasetAttributes/);
    const given = Dataset.fromDatasetAttributes(stack, 'Given', { datasetArn: Fn.importValue('UsersArn'), datasetType: DatasetType.USERS });
    expect(given.grantPutRecords(writer).success).toBe(true);
  });
});

describe('imports', () => {
  test('fromDatasetArn reads the type from the ARN', () => {
    const stack = newStack();
    const dataset = Dataset.fromDatasetArn(stack, 'Imported', 'arn:aws:personalize:us-east-1:123456789012:dataset/legacy/ACTION_INTERACTIONS');
    expect(dataset.datasetType).toBe(DatasetType.ACTION_INTERACTIONS);
    expect(dataset.datasetArn).toBe('arn:aws:personalize:us-east-1:123456789012:dataset/legacy/ACTION_INTERACTIONS');
    expect(dataset.env).toMatchObject({ account: '123456789012', region: 'us-east-1' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    dataset.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ['personalize:DescribeDataset', 'personalize:ListTagsForResource'],
          Resource: 'arn:aws:personalize:us-east-1:123456789012:dataset/legacy/ACTION_INTERACTIONS',
        }],
      },
    });
  });

  test('fromDatasetAttributes takes the type as given', () => {
    const dataset = Dataset.fromDatasetAttributes(newStack(), 'Imported', {
      datasetArn: 'arn:aws:personalize:us-east-1:123456789012:dataset/legacy/USERS', datasetType: DatasetType.USERS,
    });
    expect(dataset.datasetType).toBe(DatasetType.USERS);
  });

  test('a token ARN has its type read by CloudFormation', () => {
    const stack = newStack();
    const dataset = Dataset.fromDatasetArn(stack, 'Imported', Fn.importValue('DatasetArn'));
    expect(stack.resolve(dataset.datasetType.value)).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::ImportValue': 'DatasetArn' }] }] });
  });

  test('a literal ARN that is not a dataset ARN is an error', () => {
    expect(() => Dataset.fromDatasetArn(newStack(), 'Imported', 'arn:aws:personalize:us-east-1:123456789012:schema/users'))
      .toThrow(/\[Recommendations\] datasetArn "arn:aws:personalize:us-east-1:123456789012:schema\/users" is not a Personalize dataset ARN/);
  });

  test('a dataset in an imported group, with an imported schema: no dependency, no checks it cannot make', () => {
    const stack = newStack();
    const group = DatasetGroup.fromDatasetGroupArn(stack, 'Group', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');
    const schema = Schema.fromSchemaArn(stack, 'Schema', 'arn:aws:personalize:us-east-1:123456789012:schema/legacy-actions');
    new Dataset(stack, 'Actions', { datasetGroup: group, datasetType: DatasetType.ACTIONS, schema });
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      DatasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy',
      SchemaArn: 'arn:aws:personalize:us-east-1:123456789012:schema/legacy-actions',
    });
  });
});

describe('validation', () => {
  test.each([
    ['a name with a slash', { datasetName: 'retail/users' }, /datasetName "retail\/users" must match/],
    ['a name of 64 characters', { datasetName: 'u'.repeat(64) }, /datasetName "u{64}" is 64 characters long; it must be 1 to 63 characters/],
    ['an empty dataset type', { datasetType: DatasetType.of('') }, /datasetType "" is 0 characters long/],
  ])('%s', (_title, override, message) => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    expect(() => group.addDataset('Users', { datasetType: DatasetType.USERS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS), ...override }))
      .toThrow(message);
  });

  test('the schema must be written for the dataset\'s type', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    expect(() => group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schemaFor(stack, 'UsersSchema', DatasetType.USERS) }))
      .toThrow(/\[Recommendations\/Retail\/Items\] datasetType Items does not match schema Recommendations\/UsersSchema, which is for Users datasets/);
  });

  test('an imported schema with a known type is checked too', () => {
    const stack = newStack();
    const schema = Schema.fromSchemaAttributes(stack, 'Schema', {
      schemaArn: 'arn:aws:personalize:us-east-1:123456789012:schema/users', datasetType: DatasetType.USERS,
    });
    expect(() => new DatasetGroup(stack, 'Retail').addDataset('Items', { datasetType: DatasetType.ITEMS, schema }))
      .toThrow(/datasetType Items does not match schema Recommendations\/Schema, which is for Users datasets/);
  });

  test.each([
    ['an ECOMMERCE schema in a custom group', undefined, DatasetGroupDomain.ECOMMERCE,
      /schema Recommendations\/Schema is a ECOMMERCE domain schema but dataset group Recommendations\/Group is a custom dataset group; a dataset's schema must have its group's domain \(no domain\)/],
    ['a custom schema in an ECOMMERCE group', DatasetGroupDomain.ECOMMERCE, undefined,
      /schema Recommendations\/Schema is a custom schema but dataset group Recommendations\/Group is a ECOMMERCE domain dataset group; .*\(domain: DatasetGroupDomain.ECOMMERCE\)/],
    ['a VIDEO_ON_DEMAND schema in an ECOMMERCE group', DatasetGroupDomain.ECOMMERCE, DatasetGroupDomain.VIDEO_ON_DEMAND,
      /is a VIDEO_ON_DEMAND domain schema but dataset group Recommendations\/Group is a ECOMMERCE domain dataset group/],
  ])('the schema\'s domain must be the group\'s: %s', (_title, groupDomain, schemaDomain, message) => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Group', { domain: groupDomain });
    const schema = schemaFor(stack, 'Schema', DatasetType.INTERACTIONS, schemaDomain);
    expect(() => group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema })).toThrow(message);
  });

  test('an imported group with a known domain is checked; one with no domain given is not', () => {
    const stack = newStack();
    const schema = schemaFor(stack, 'Schema', DatasetType.INTERACTIONS);
    const video = DatasetGroup.fromDatasetGroupAttributes(stack, 'Video', {
      datasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/video', domain: DatasetGroupDomain.VIDEO_ON_DEMAND,
    });
    expect(() => new Dataset(stack, 'A', { datasetGroup: video, datasetType: DatasetType.INTERACTIONS, schema }))
      .toThrow(/is a custom schema but dataset group Recommendations\/Video is a VIDEO_ON_DEMAND domain dataset group/);
    const unknown = DatasetGroup.fromDatasetGroupArn(stack, 'Unknown', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/unknown');
    expect(() => new Dataset(stack, 'B', { datasetGroup: unknown, datasetType: DatasetType.INTERACTIONS, schema })).not.toThrow();
  });

  test.each([DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS])('a domain group has no %s dataset', (datasetType) => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Video', { domain: DatasetGroupDomain.VIDEO_ON_DEMAND });
    const schema = Schema.fromSchemaArn(stack, 'Schema', 'arn:aws:personalize:us-east-1:123456789012:schema/actions');
    expect(() => group.addDataset('Dataset', { datasetType, schema }))
      .toThrow(new RegExp(`datasetType ${datasetType.value} is not available in the VIDEO_ON_DEMAND domain: a domain dataset group has only Interactions, Items and Users datasets`));
  });

  test('one dataset of each type per group: a second one is an error naming both', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail');
    const schema = schemaFor(stack, 'Schema', DatasetType.INTERACTIONS);
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    new Dataset(stack, 'MoreInteractions', { datasetGroup: group, datasetType: DatasetType.INTERACTIONS, schema });
    expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/MoreInteractions\] datasetType Interactions: dataset group Recommendations\/Retail already has a Interactions dataset, Recommendations\/Retail\/Interactions, and this is another one \(Recommendations\/MoreInteractions\); a dataset group holds at most one dataset of each type/);
  });

  test('one of each type: other groups and other types are fine', () => {
    const stack = newStack();
    const schema = schemaFor(stack, 'Schema', DatasetType.USERS);
    const arn = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy';
    new Dataset(stack, 'A', { datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'First', arn), datasetType: DatasetType.USERS, schema });
    new Dataset(stack, 'B', { datasetGroup: new DatasetGroup(stack, 'Other'), datasetType: DatasetType.USERS, schema });
    new DatasetGroup(stack, 'Third').addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS, schema: schemaFor(stack, 'InteractionsSchema', DatasetType.INTERACTIONS),
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('one of each type: two imports of the same group ARN are the same group', () => {
    const stack = newStack();
    const schema = schemaFor(stack, 'Schema', DatasetType.USERS);
    const arn = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy';
    new Dataset(stack, 'A', { datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'First', arn), datasetType: DatasetType.USERS, schema });
    new Dataset(stack, 'C', { datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'Second', arn), datasetType: DatasetType.of('users'), schema });
    expect(() => Template.fromStack(stack)).toThrow(/\[Recommendations\/C\] datasetType Users: dataset group Recommendations\/Second already has a Users dataset, Recommendations\/A/);
  });
});

describe('snapshots', () => {
  test('a custom dataset group with all five dataset types', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Retail', { removalPolicy: RemovalPolicy.DESTROY });
    for (const datasetType of ALL_TYPES) {
      group.addDataset(datasetType.value, {
        datasetType, schema: schemaFor(stack, `${datasetType.value}Schema`, datasetType, undefined, RemovalPolicy.DESTROY),
      });
    }
    Tags.of(group).add('team', 'recs');
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });

  test('an ECOMMERCE dataset group with its datasets', () => {
    const stack = newStack();
    const group = new DatasetGroup(stack, 'Shop', { domain: DatasetGroupDomain.ECOMMERCE });
    for (const datasetType of [DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS]) {
      const schema: ISchema = schemaFor(stack, `${datasetType.value}Schema`, datasetType, DatasetGroupDomain.ECOMMERCE);
      group.addDataset(datasetType.value, { datasetType, schema, datasetName: `shop-${datasetType.value.toLowerCase()}` });
    }
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });
});
