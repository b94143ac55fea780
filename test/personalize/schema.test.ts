import * as fs from 'fs';
import * as path from 'path';
import { CfnElement, Duration, Fn, Lazy, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  DatasetGroupDomain, DatasetType, Schema, SchemaDefinition, SchemaField, SchemaFieldType, SchemaProps,
} from '../../src';
import { serviceTokenOf, validatingApp } from '../support/stack';

const TYPE = 'Custom::PersonalizeSchema';

/** The logical id of a construct's custom resource (or of the construct itself). */
function logicalId(construct: { node: any }): string {
  const resource = construct.node.tryFindChild('Resource') ?? construct;
  return Stack.of(construct as any).getLogicalId(resource.node.defaultChild as CfnElement);
}

function newStack(): Stack {
  return new Stack(validatingApp(), 'Recommendations', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The Avro document a schema resource gives Personalize. */
function schemaJson(stack: Stack, id?: string): any {
  const resources = Template.fromStack(stack).findResources(TYPE);
  const key = id ? Object.keys(resources).find((k) => k.startsWith(id))! : Object.keys(resources)[0];
  return JSON.parse(resources[key].Properties.Schema);
}

const INTERACTIONS_FIELDS = [
  SchemaField.string('USER_ID'),
  SchemaField.string('ITEM_ID'),
  SchemaField.long('TIMESTAMP'),
  SchemaField.string('EVENT_TYPE'),
  SchemaField.string('DEVICE', { categorical: true, optional: true }),
];

describe('rendering', () => {
  test('the design usage: typed fields render as the Avro record Personalize expects, with the defaults', () => {
    const stack = newStack();
    new Schema(stack, 'InteractionsSchema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    const template = Template.fromStack(stack);
    template.hasResource(TYPE, {
      Properties: {
        ServiceToken: serviceTokenOf(stack),
        ServiceTimeout: '3600',
        Schema: '{"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","fields":[' +
          '{"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},' +
          '{"name":"EVENT_TYPE","type":"string"},{"name":"DEVICE","type":["string","null"],"categorical":true}],"version":"1.0"}',
        Name: Match.absent(),
        Domain: Match.absent(),
        Tags: Match.absent(),
        WaitTimeoutSeconds: 1800,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('every field type and option', () => {
    const stack = newStack();
    new Schema(stack, 'Items', {
      datasetType: DatasetType.ITEMS,
      fields: [
        SchemaField.string('ITEM_ID'),
        SchemaField.int('STOCK', { optional: true }),
        SchemaField.long('CREATION_TIMESTAMP'),
        SchemaField.float('PRICE'),
        SchemaField.double('WEIGHT', { optional: true }),
        SchemaField.boolean('IN_SALE'),
        SchemaField.string('GENRES', { categorical: true }),
        SchemaField.string('DESCRIPTION', { textual: true, optional: true }),
        SchemaField.string('TITLE'),
      ],
    });
    expect(schemaJson(stack).fields).toEqual([
      { name: 'ITEM_ID', type: 'string' },
      { name: 'STOCK', type: ['int', 'null'] },
      { name: 'CREATION_TIMESTAMP', type: 'long' },
      { name: 'PRICE', type: 'float' },
      { name: 'WEIGHT', type: ['double', 'null'] },
      { name: 'IN_SALE', type: 'boolean' },
      { name: 'GENRES', type: 'string', categorical: true },
      { name: 'DESCRIPTION', type: ['string', 'null'], textual: true },
      { name: 'TITLE', type: 'string' },
    ]);
  });

  test('SchemaField exposes what it renders', () => {
    const field = SchemaField.string('DEVICE', { categorical: true, optional: true });
    expect(field).toMatchObject({ name: 'DEVICE', type: SchemaFieldType.STRING, optional: true, categorical: true, textual: false });
    expect(SchemaField.long('TIMESTAMP')).toMatchObject({ type: SchemaFieldType.LONG, optional: false, categorical: false });
  });

  test.each([
    [DatasetType.INTERACTIONS, 'Interactions', [SchemaField.string('USER_ID'), SchemaField.string('ITEM_ID'), SchemaField.long('TIMESTAMP')]],
    [DatasetType.ITEMS, 'Items', [SchemaField.string('ITEM_ID'), SchemaField.string('GENRES', { categorical: true })]],
    [DatasetType.USERS, 'Users', [SchemaField.string('USER_ID'), SchemaField.int('AGE')]],
    [DatasetType.ACTIONS, 'Actions', [SchemaField.string('ACTION_ID'), SchemaField.string('LEVEL', { categorical: true })]],
    [DatasetType.ACTION_INTERACTIONS, 'ActionInteractions',
      [SchemaField.string('USER_ID'), SchemaField.string('ACTION_ID'), SchemaField.string('EVENT_TYPE'), SchemaField.long('TIMESTAMP')]],
  ])('the record name of a %s schema is %s', (datasetType, recordName, fields) => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { datasetType, fields });
    expect(schemaJson(stack)).toMatchObject({ type: 'record', name: recordName, namespace: 'com.amazonaws.personalize.schema', version: '1.0' });
    expect(schema.datasetType).toBe(datasetType);
  });

  test('name, domain, removal policy and wait bound', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', {
      datasetType: DatasetType.INTERACTIONS,
      domain: DatasetGroupDomain.ECOMMERCE,
      schemaName: 'retail-interactions',
      removalPolicy: RemovalPolicy.DESTROY,
      waitTimeout: Duration.minutes(10),
      fields: [...INTERACTIONS_FIELDS],
    });
    Template.fromStack(stack).hasResource(TYPE, {
      Properties: { Name: 'retail-interactions', Domain: 'ECOMMERCE', WaitTimeoutSeconds: 600 },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    expect(schema.schemaName).toBe('retail-interactions');
    expect(schema.domain).toBe(DatasetGroupDomain.ECOMMERCE);
    expect(schema.removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  test('attributes: the ARN is the physical id, a generated name comes from the handler', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    expect(stack.resolve(schema.schemaArn)).toEqual({ Ref: logicalId(schema) });
    expect(stack.resolve(schema.schemaName)).toEqual({ 'Fn::GetAtt': [logicalId(schema), 'SchemaName'] });
    expect(schema.domain).toBeUndefined();
    expect(schema.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  test('schemas cannot be tagged: tags applied to the stack do not reach them', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    Tags.of(stack).add('team', 'recs');
    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: Match.absent() });
  });

  test('an unknown dataset type is passed on with only the format checks', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { datasetType: DatasetType.of('Item_Embeddings'), fields: [SchemaField.string('ITEM_ID')] });
    expect(schemaJson(stack).name).toBe('ItemEmbeddings');
  });

  test('DatasetType.of returns the constants for known values, in any case', () => {
    expect(DatasetType.of('interactions')).toBe(DatasetType.INTERACTIONS);
    expect(DatasetType.of('ACTION_INTERACTIONS')).toBe(DatasetType.ACTION_INTERACTIONS);
    expect(DatasetType.of('Item_Embeddings').value).toBe('Item_Embeddings');
    expect(DatasetType.of('Item_Embeddings').matches(DatasetType.of('ITEM_EMBEDDINGS'))).toBe(true);
    expect(DatasetType.ITEMS.toString()).toBe('Items');
  });
});

describe('Avro documents', () => {
  const usersDocument = {
    type: 'record',
    name: 'Users',
    namespace: 'com.amazonaws.personalize.schema',
    fields: [{ name: 'USER_ID', type: 'string' }, { name: 'GENDER', type: 'string', categorical: true }],
    version: '1.0',
  };

  test('SchemaDefinition.fromJson passes the document through', () => {
    const stack = newStack();
    new Schema(stack, 'Users', { datasetType: DatasetType.USERS, definition: SchemaDefinition.fromJson(usersDocument) });
    expect(schemaJson(stack)).toEqual(usersDocument);
  });

  test('SchemaDefinition.fromString passes the text through as given', () => {
    const stack = newStack();
    const text = JSON.stringify(usersDocument, undefined, 2);
    new Schema(stack, 'Users', { datasetType: DatasetType.USERS, definition: SchemaDefinition.fromString(text) });
    Template.fromStack(stack).hasResourceProperties(TYPE, { Schema: text });
  });

  test('SchemaDefinition.fromFields is the same as fields', () => {
    const a = newStack();
    new Schema(a, 'Schema', { datasetType: DatasetType.INTERACTIONS, definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS) });
    const b = newStack();
    new Schema(b, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    expect(schemaJson(a)).toEqual(schemaJson(b));
  });

  test('Schema.fromAvroJson takes an object or its text, with the other options', () => {
    const stack = newStack();
    const fromObject = Schema.fromAvroJson(stack, 'FromObject', {
      datasetType: DatasetType.USERS, json: usersDocument, schemaName: 'users', removalPolicy: RemovalPolicy.DESTROY,
    });
    Schema.fromAvroJson(stack, 'FromText', { datasetType: DatasetType.USERS, json: JSON.stringify(usersDocument) });
    expect(fromObject).toBeInstanceOf(Schema);
    expect(schemaJson(stack, 'FromObject')).toEqual(usersDocument);
    expect(schemaJson(stack, 'FromText')).toEqual(usersDocument);
    Template.fromStack(stack).hasResource(TYPE, { Properties: { Name: 'users' }, DeletionPolicy: 'Delete' });
  });

  test('a definition given as a token is passed to Personalize unchecked', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { datasetType: DatasetType.USERS, definition: SchemaDefinition.fromString(Fn.importValue('UsersSchemaJson')) });
    Template.fromStack(stack).hasResourceProperties(TYPE, { Schema: { 'Fn::ImportValue': 'UsersSchemaJson' } });
  });

  test('a document with tokens in it is rendered by CloudFormation, and a field named by a token is not checked', () => {
    const stack = newStack();
    const name = Lazy.string({ produce: () => 'GENDER' });
    new Schema(stack, 'Schema', {
      datasetType: DatasetType.USERS,
      definition: SchemaDefinition.fromJson({ ...usersDocument, fields: [{ name: 'USER_ID', type: 'string' }, { name, type: 'string', categorical: true }] }),
    });
    const rendered = Template.fromStack(stack).findResources(TYPE);
    expect(JSON.parse(Object.values(rendered)[0].Properties.Schema).fields[1].name).toBe('GENDER');
  });

  test('a schema name given as a token is not checked', () => {
    const stack = newStack();
    new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS, schemaName: Fn.importValue('Name') });
    Template.fromStack(stack).hasResourceProperties(TYPE, { Name: { 'Fn::ImportValue': 'Name' } });
  });
});

describe('published example schemas', () => {
  const dir = path.join(__dirname, '..', 'fixtures', 'personalize-schemas');
  const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const load = (file: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'));

  /** The same fields written with SchemaField, as a user would write the published schema. */
  const TYPED: Record<string, SchemaField[]> = {
    'custom-interactions.json': [
      SchemaField.string('USER_ID'), SchemaField.string('ITEM_ID'), SchemaField.string('EVENT_TYPE'),
      SchemaField.float('EVENT_VALUE', { optional: true }), SchemaField.string('LOCATION', { categorical: true }),
      SchemaField.string('DEVICE', { categorical: true, optional: true }), SchemaField.long('TIMESTAMP'), SchemaField.string('IMPRESSION'),
    ],
    'custom-users.json': [SchemaField.string('USER_ID'), SchemaField.int('AGE'), SchemaField.string('GENDER', { categorical: true })],
    'custom-items.json': [
      SchemaField.string('ITEM_ID'), SchemaField.string('GENRES', { categorical: true, optional: true }),
      SchemaField.long('CREATION_TIMESTAMP'), SchemaField.string('DESCRIPTION', { textual: true, optional: true }),
    ],
    'custom-actions.json': [
      SchemaField.string('ACTION_ID'), SchemaField.long('VALUE', { optional: true }),
      SchemaField.string('MEMBERSHIP_LEVEL', { categorical: true, optional: true }), SchemaField.long('CREATION_TIMESTAMP'),
      SchemaField.long('REPEAT_FREQUENCY', { optional: true }),
    ],
    'custom-action-interactions.json': [
      SchemaField.string('USER_ID'), SchemaField.string('ACTION_ID'), SchemaField.string('EVENT_TYPE'), SchemaField.long('TIMESTAMP'),
    ],
    'ecommerce-interactions.json': [SchemaField.string('USER_ID'), SchemaField.string('ITEM_ID'), SchemaField.string('EVENT_TYPE'), SchemaField.long('TIMESTAMP')],
    'ecommerce-items.json': [SchemaField.string('ITEM_ID'), SchemaField.float('PRICE'), SchemaField.string('CATEGORY_L1', { categorical: true })],
    'ecommerce-users.json': [SchemaField.string('USER_ID'), SchemaField.string('MEMBERSHIP_STATUS', { categorical: true })],
    'video-on-demand-interactions.json': [
      SchemaField.string('USER_ID'), SchemaField.string('ITEM_ID'), SchemaField.string('EVENT_TYPE'), SchemaField.long('TIMESTAMP'),
    ],
    'video-on-demand-items.json': [SchemaField.string('ITEM_ID'), SchemaField.string('GENRES', { categorical: true }), SchemaField.long('CREATION_TIMESTAMP')],
    'video-on-demand-users.json': [SchemaField.string('USER_ID'), SchemaField.string('SUBSCRIPTION_MODEL', { categorical: true })],
  };

  /**
   * Avro structure without notation: a union is a set of types (["null","string"] is
   * ["string","null"]) and a union of one type is that type.
   */
  function avroStructure(doc: any): any {
    const type = (t: any) => {
      const branches = (Array.isArray(t) ? t : [t]).map((b: any) => (typeof b === 'object' ? b.type : b)).sort();
      return branches.length === 1 ? branches[0] : branches;
    };
    return { ...doc, fields: doc.fields.map((f: any) => ({ ...f, type: type(f.type) })) };
  }

  test('every fixture is covered and says where it is documented', () => {
    expect(fixtures).toEqual(Object.keys(TYPED).sort());
    for (const file of fixtures) {
      const fixture = load(file);
      expect(fixture.documentedAt).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/personalize\/latest\/dg\/[\w-]+\.html$/);
      expect(fixture.note.length).toBeGreaterThan(10);
    }
  });

  test.each(Object.keys(TYPED).sort())('%s: typed fields emit the same Avro structure, and it passes the checks', (file) => {
    const fixture = load(file);
    const stack = newStack();
    new Schema(stack, 'Schema', { datasetType: DatasetType.of(fixture.datasetType), domain: fixture.domain ?? undefined, fields: TYPED[file] });
    expect(avroStructure(schemaJson(stack))).toEqual(avroStructure(fixture.schema));
  });

  test.each(Object.keys(TYPED).sort())('%s: the published document passes the checks and is passed through unchanged', (file) => {
    const fixture = load(file);
    const stack = newStack();
    Schema.fromAvroJson(stack, 'Schema', { datasetType: DatasetType.of(fixture.datasetType), domain: fixture.domain ?? undefined, json: fixture.schema });
    expect(schemaJson(stack)).toEqual(fixture.schema);
  });
});

describe('provider and permissions', () => {
  test('one provider per stack; the handler may create, describe and delete schemas of this account and region, and not tag them', () => {
    const one = newStack();
    new Schema(one, 'A', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    const stack = newStack();
    for (const id of ['A', 'B', 'C']) new Schema(stack, id, { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 3);
    // The same functions (the handlers and the Provider framework's) for one schema or three.
    const functions = (t: Template) => Object.keys(t.findResources('AWS::Lambda::Function')).sort();
    expect(functions(template)).toEqual(functions(Template.fromStack(one)));
    // Of them, one onEvent and one isComplete handler.
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }))).toHaveLength(1);
    }
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const onSchemas = statements.filter((s: any) => JSON.stringify(s.Resource).includes(':schema/*'));
    expect(onSchemas).toEqual([{
      Action: ['personalize:CreateSchema', 'personalize:DescribeSchema', 'personalize:DeleteSchema'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:us-east-1:123456789012:schema/*']] },
    }]);
  });

  test('grantRead and grant', () => {
    const stack = newStack();
    const schema = new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    schema.grantRead(role);
    schema.grant(role, 'personalize:DeleteSchema');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [
          { Action: 'personalize:DescribeSchema', Effect: 'Allow', Resource: { Ref: logicalId(schema) } },
          { Action: 'personalize:DeleteSchema', Effect: 'Allow', Resource: { Ref: logicalId(schema) } },
        ],
      },
    });
  });
});

describe('imports', () => {
  test('fromSchemaArn reads the name from the ARN', () => {
    const stack = newStack();
    const schema = Schema.fromSchemaArn(stack, 'Imported', 'arn:aws:personalize:us-east-1:123456789012:schema/legacy-users');
    expect(schema.schemaName).toBe('legacy-users');
    expect(schema.datasetType).toBeUndefined();
    expect(schema.domain).toBeUndefined();
    expect(schema.env).toMatchObject({ account: '123456789012', region: 'us-east-1' });
  });

  test('fromSchemaAttributes keeps the dataset type and domain for the checks', () => {
    const stack = newStack();
    const schema = Schema.fromSchemaAttributes(stack, 'Imported', {
      schemaArn: 'arn:aws:personalize:us-east-1:123456789012:schema/legacy-users',
      datasetType: DatasetType.USERS,
      domain: DatasetGroupDomain.VIDEO_ON_DEMAND,
    });
    expect(schema.datasetType).toBe(DatasetType.USERS);
    expect(schema.domain).toBe(DatasetGroupDomain.VIDEO_ON_DEMAND);
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    schema.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'personalize:DescribeSchema', Resource: 'arn:aws:personalize:us-east-1:123456789012:schema/legacy-users' }] },
    });
  });

  test('a token ARN is accepted, its name read by CloudFormation', () => {
    const stack = newStack();
    const schema = Schema.fromSchemaArn(stack, 'Imported', Fn.importValue('SchemaArn'));
    expect(stack.resolve(schema.schemaName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::ImportValue': 'SchemaArn' }] }] }] }] });
  });

  test('a literal ARN that is not a schema ARN is an error', () => {
    expect(() => Schema.fromSchemaArn(newStack(), 'Imported', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail'))
      .toThrow(/schemaArn "arn:aws:personalize:us-east-1:123456789012:dataset-group\/retail" is not a Personalize schema ARN/);
  });
});

describe('validation', () => {
  const S = SchemaField.string;
  const I = DatasetType.INTERACTIONS;
  const interactions = (...more: SchemaField[]) => [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), ...more];
  const doc = (fields: unknown[], extra: Record<string, unknown> = {}) => SchemaDefinition.fromJson({
    type: 'record', name: 'Interactions', namespace: 'com.amazonaws.personalize.schema', fields, version: '1.0', ...extra,
  });
  const interactionsDoc = (...more: unknown[]) => doc([
    { name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' }, ...more,
  ]);
  const many = (n: number, make: (i: number) => SchemaField) => Array.from({ length: n }, (_, i) => make(i));

  const cases: Array<[string, SchemaProps, RegExp]> = [
    // The construct's own props
    ['fields and definition both given', { datasetType: I, fields: interactions(), definition: interactionsDoc() },
      /fields and definition are both given/],
    ['no content', { datasetType: I }, /the schema has no content: give its fields, or its definition/],
    ['a schema name with a space', { datasetType: I, fields: interactions(), schemaName: 'my schema' },
      /schemaName "my schema" must match \^\[a-zA-Z0-9\]\[a-zA-Z0-9\\-_\]\*\$/],
    ['a schema name of 64 characters', { datasetType: I, fields: interactions(), schemaName: 'a'.repeat(64) },
      /schemaName "a{64}" is 64 characters long; it must be 1 to 63 characters/],
    ['an empty dataset type', { datasetType: DatasetType.of(''), fields: interactions() }, /datasetType "" is 0 characters long/],
    ['a domain schema for Actions', { datasetType: DatasetType.ACTIONS, domain: DatasetGroupDomain.ECOMMERCE, fields: [S('ACTION_ID')] },
      /datasetType Actions is not available in the ECOMMERCE domain: a domain dataset group has only Interactions, Items and Users datasets/],
    ['a domain schema for Action_Interactions', { datasetType: DatasetType.ACTION_INTERACTIONS, domain: DatasetGroupDomain.VIDEO_ON_DEMAND, fields: [S('USER_ID')] },
      /datasetType Action_Interactions is not available in the VIDEO_ON_DEMAND domain/],

    // Formatting rules for every schema
    ['a field name that is not an Avro name', { datasetType: I, fields: interactions(S('DEVICE-TYPE', { categorical: true })) },
      /field name "DEVICE-TYPE" is not an Avro name: it must start with a letter or underscore, followed by letters, digits and underscores/],
    ['a field name that starts with a digit', { datasetType: I, fields: interactions(S('1DEVICE', { categorical: true })) }, /field name "1DEVICE" is not an Avro name/],
    ['a field defined twice', { datasetType: I, fields: interactions(S('USER_ID')) }, /field USER_ID is defined twice; field names must be unique/],
    ['names that are the same alphanumerically', { datasetType: I, fields: interactions(S('GENRES_FIELD_1', { categorical: true }), S('GENRESFIELD1', { categorical: true })) },
      /fields GENRES_FIELD_1 and GENRESFIELD1 have the same alphanumeric name \(GENRESFIELD1\); Personalize field names must be unique alphanumeric names/],
    ['categorical on an int', { datasetType: I, fields: interactions(SchemaField.int('AGE', { categorical: true } as any)) },
      /field AGE is int and categorical; only string fields can be categorical/],
    ['textual on a long', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), S('GENRE', { categorical: true }), SchemaField.long('SIZE', { textual: true } as any)] },
      /field SIZE is long and textual; textual fields must be of type string/],
    ['an unsupported type in a document', { datasetType: I, definition: interactionsDoc({ name: 'THUMBNAIL', type: 'bytes' }) },
      /field THUMBNAIL has type bytes; Personalize schemas support only float, double, int, long, string, boolean and null, and no complex types/],
    ['an array in a document', { datasetType: I, definition: interactionsDoc({ name: 'TAGS', type: { type: 'array', items: 'string' } }) },
      /field TAGS has type array; Personalize schemas support only/],
    ['a nested record in a document', { datasetType: I, definition: interactionsDoc({ name: 'GEO', type: { type: 'record', name: 'Geo', fields: [] } }) },
      /field GEO has type record; Personalize schemas support only/],
    ['a union of two types', { datasetType: I, definition: interactionsDoc({ name: 'SCORE', type: ['int', 'string'] }) },
      /field SCORE is a union of int, string; a Personalize field has one type, optionally with null/],
    ['a field that is only null', { datasetType: I, definition: interactionsDoc({ name: 'NOTHING', type: 'null' }) },
      /field NOTHING is only null; a field needs one of the types float, double, int, long, string, boolean, optionally with null/],
    ['null twice in a union', { datasetType: I, definition: interactionsDoc({ name: 'DEVICE', type: ['null', 'string', 'null'], categorical: true }) },
      /field DEVICE lists null twice in its union/],
    ['a type twice in a union', { datasetType: I, definition: interactionsDoc({ name: 'DEVICE', type: ['string', 'string'], categorical: true }) },
      /field DEVICE lists string twice in its union/],
    ['a type that is not a type', { datasetType: I, definition: interactionsDoc({ name: 'DEVICE', type: 42 }) },
      /field DEVICE has the type 42; a field's type is a primitive type name or a union of them/],
    ['categorical that is not a boolean', { datasetType: I, definition: interactionsDoc({ name: 'DEVICE', type: 'string', categorical: 'yes' }) },
      /field DEVICE has "categorical": "yes"; it must be true or false/],
    ['textual that is not a boolean', { datasetType: DatasetType.ITEMS, definition: SchemaDefinition.fromJson({ type: 'record', name: 'Items', fields: [{ name: 'ITEM_ID', type: 'string' }, { name: 'D', type: 'string', textual: 1 }] }) },
      /field D has "textual": 1; it must be true or false/],
    ['a document that is not a record', { datasetType: I, definition: doc([{ name: 'USER_ID', type: 'string' }], { type: 'enum' }) },
      /definition has "type": "enum"; a Personalize schema is an Avro record \("type": "record"\)/],
    ['a record name that does not match the dataset type', { datasetType: DatasetType.USERS, definition: doc([{ name: 'USER_ID', type: 'string' }, { name: 'AGE', type: 'int' }]) },
      /definition has the record name "Interactions" for a Users schema; it must be "Users" \(a schema has a name key whose value must match the dataset type\)/],
    ['a record without a name', { datasetType: I, definition: SchemaDefinition.fromJson({ type: 'record', fields: [{ name: 'USER_ID', type: 'string' }] }) },
      /definition has no record name; it must be "Interactions"/],
    ['a record without fields', { datasetType: I, definition: doc([]) }, /definition has no "fields"; a schema lists its fields in a non-empty "fields" array/],
    ['a field without a name', { datasetType: I, definition: interactionsDoc({ type: 'string' }) }, /definition fields\[3\] must be an object with a "name" and a "type"/],
    ['text that is not JSON', { datasetType: I, definition: SchemaDefinition.fromString('{"type": "record",') }, /definition is not valid JSON: /],
    ['a document that is not an object', { datasetType: I, definition: SchemaDefinition.fromJson(['USER_ID']) },
      /definition must be an Avro schema document: a JSON object with "type": "record" and "fields"/],
    ['a schema longer than CreateSchema takes', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), ...many(99, (i) => S(`M${i}_${'X'.repeat(190)}`, { categorical: true }))] },
      /the schema JSON is \d+ characters long; CreateSchema takes at most 20000/],

    // Custom dataset groups: required fields, reserved keywords, metadata
    ['Interactions without TIMESTAMP', { datasetType: I, fields: [S('USER_ID'), S('ITEM_ID')] },
      /field TIMESTAMP \(long\) is required in Item interactions schemas \(custom\) \(https:\/\/docs.aws.amazon.com\/personalize\/latest\/dg\/custom-datasets-and-schemas.html\)/],
    ['Interactions with a string TIMESTAMP', { datasetType: I, fields: [S('USER_ID'), S('ITEM_ID'), S('TIMESTAMP')] },
      /field TIMESTAMP is string; the required field TIMESTAMP of Item interactions schemas \(custom\) must be long/],
    ['Interactions with an optional USER_ID', { datasetType: I, fields: [S('USER_ID', { optional: true }), S('ITEM_ID'), SchemaField.long('TIMESTAMP')] },
      /field USER_ID is optional \(a union with null\); the required field USER_ID of Item interactions schemas \(custom\) cannot be null/],
    ['a reserved keyword of the wrong type', { datasetType: I, fields: interactions(SchemaField.double('EVENT_VALUE')) },
      /field EVENT_VALUE is double; the reserved keyword EVENT_VALUE of Item interactions schemas \(custom\) must be float, optionally null/],
    ['a categorical EVENT_TYPE', { datasetType: I, fields: interactions(S('EVENT_TYPE', { categorical: true })) },
      /field EVENT_TYPE is categorical; the reserved keyword EVENT_TYPE of Item interactions schemas \(custom\) is a string that cannot be categorical/],
    ['a categorical IMPRESSION', { datasetType: I, fields: interactions(S('IMPRESSION', { categorical: true })) },
      /field IMPRESSION is categorical; the reserved keyword IMPRESSION of Item interactions schemas \(custom\) is a string that cannot be categorical/],
    ['an optional CREATION_TIMESTAMP in Items', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), S('GENRE', { categorical: true }), SchemaField.long('CREATION_TIMESTAMP', { optional: true })] },
      /field CREATION_TIMESTAMP is optional \(a union with null\); the reserved keyword CREATION_TIMESTAMP of Items schemas \(custom\) cannot be null/],
    ['Interactions with 6 metadata fields', { datasetType: I, fields: interactions(...many(6, (i) => S(`CONTEXT_${i}`, { categorical: true }))) },
      /fields: 6 metadata fields \(CONTEXT_0, .*CONTEXT_5\); Item interactions schemas \(custom\) allow at most 5/],
    ['Users without metadata', { datasetType: DatasetType.USERS, fields: [S('USER_ID')] },
      /fields: Users schemas \(custom\) need at least 1 metadata field besides USER_ID and the reserved keywords, and it must be a categorical string, or numeric \(int, long, float, double\); found none/],
    ['Users whose only metadata is an uncategorised string', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), S('NAME')] },
      /fields: Users schemas \(custom\) need at least 1 metadata field .*; found NAME \(string\)/],
    ['Users with 26 metadata fields', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), ...many(26, (i) => SchemaField.int(`M${i}`))] },
      /fields: 26 metadata fields .*; Users schemas \(custom\) allow at most 25/],
    ['Items without metadata besides the reserved keyword', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), SchemaField.long('CREATION_TIMESTAMP')] },
      /fields: Items schemas \(custom\) need at least 1 metadata field besides ITEM_ID and the reserved keywords, and it must be a categorical or textual string, or numeric/],
    ['Items with 101 metadata fields', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), ...many(101, (i) => SchemaField.int(`M${i}`))] },
      /fields: 101 metadata fields .*; Items schemas \(custom\) allow at most 100/],
    ['Actions with 11 metadata fields', { datasetType: DatasetType.ACTIONS, fields: [S('ACTION_ID'), ...many(11, (i) => SchemaField.int(`M${i}`))] },
      /fields: 11 metadata fields .*; Actions schemas \(custom\) allow at most 10/],
    ['Actions without ACTION_ID', { datasetType: DatasetType.ACTIONS, fields: [SchemaField.int('LEVEL')] },
      /field ACTION_ID \(string\) is required in Actions schemas \(custom\)/],
    ['Actions with a string VALUE', { datasetType: DatasetType.ACTIONS, fields: [S('ACTION_ID'), SchemaField.int('LEVEL'), S('VALUE')] },
      /field VALUE is string; the reserved keyword VALUE of Actions schemas \(custom\) must be long, optionally null/],
    ['Actions with a float ACTION_EXPIRATION_TIMESTAMP', { datasetType: DatasetType.ACTIONS, fields: [S('ACTION_ID'), SchemaField.int('LEVEL'), SchemaField.float('ACTION_EXPIRATION_TIMESTAMP')] },
      /the reserved keyword ACTION_EXPIRATION_TIMESTAMP of Actions schemas \(custom\) must be long, optionally null/],
    ['Action interactions without EVENT_TYPE', { datasetType: DatasetType.ACTION_INTERACTIONS, fields: [S('USER_ID'), S('ACTION_ID'), SchemaField.long('TIMESTAMP')] },
      /field EVENT_TYPE \(string\) is required in Action interactions schemas \(custom\)/],
    ['a textual field in a Users schema', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), SchemaField.int('AGE'), S('BIO', { textual: true })] },
      /field BIO is textual; only Items schemas can have textual fields, not Users schemas \(custom\)/],
    ['two textual fields in an Items schema', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), S('TITLE', { textual: true }), S('DESCRIPTION', { textual: true })] },
      /fields TITLE, DESCRIPTION are all textual; an Items schema can have at most 1 textual field/],

    // Domain dataset groups: their required fields and reserved keywords
    ['ECOMMERCE Interactions without EVENT_TYPE', { datasetType: I, domain: DatasetGroupDomain.ECOMMERCE, fields: interactions() },
      /field EVENT_TYPE \(string\) is required in Item interactions schemas \(ECOMMERCE domain\) \(https:\/\/docs.aws.amazon.com\/personalize\/latest\/dg\/ECOMMERCE-datasets-and-schemas.html\)/],
    ['ECOMMERCE Items without PRICE', { datasetType: DatasetType.ITEMS, domain: DatasetGroupDomain.ECOMMERCE, fields: [S('ITEM_ID'), S('CATEGORY_L1', { categorical: true })] },
      /field PRICE \(float\) is required in Items schemas \(ECOMMERCE domain\)/],
    ['ECOMMERCE Items with a plain string CATEGORY_L1', { datasetType: DatasetType.ITEMS, domain: DatasetGroupDomain.ECOMMERCE, fields: [S('ITEM_ID'), SchemaField.float('PRICE'), S('CATEGORY_L1')] },
      /field CATEGORY_L1 must be categorical; the required field CATEGORY_L1 of Items schemas \(ECOMMERCE domain\) is a categorical string/],
    ['ECOMMERCE Items with a plain string AGE_GROUP', {
      datasetType: DatasetType.ITEMS,
      domain: DatasetGroupDomain.ECOMMERCE,
      fields: [S('ITEM_ID'), SchemaField.float('PRICE'), S('CATEGORY_L1', { categorical: true }), S('AGE_GROUP')],
    }, /field AGE_GROUP must be categorical; the reserved keyword AGE_GROUP of Items schemas \(ECOMMERCE domain\)/],
    ['ECOMMERCE Items with a PRODUCT_DESCRIPTION that is not textual', {
      datasetType: DatasetType.ITEMS,
      domain: DatasetGroupDomain.ECOMMERCE,
      fields: [S('ITEM_ID'), SchemaField.float('PRICE'), S('CATEGORY_L1', { categorical: true }), S('PRODUCT_DESCRIPTION', { optional: true })],
    }, /field PRODUCT_DESCRIPTION must be textual; the reserved keyword PRODUCT_DESCRIPTION of Items schemas \(ECOMMERCE domain\) is a textual string/],
    ['ECOMMERCE Items with a string PRICE (domain-only field)', {
      datasetType: DatasetType.ITEMS, domain: DatasetGroupDomain.ECOMMERCE, fields: [S('ITEM_ID'), S('PRICE'), S('CATEGORY_L1', { categorical: true })],
    }, /field PRICE is string; the required field PRICE of Items schemas \(ECOMMERCE domain\) must be float/],
    ['ECOMMERCE Users without metadata', { datasetType: DatasetType.USERS, domain: DatasetGroupDomain.ECOMMERCE, fields: [S('USER_ID')] },
      /fields: Users schemas \(ECOMMERCE domain\) need at least 1 metadata field/],
    ['VIDEO_ON_DEMAND Items without GENRES', { datasetType: DatasetType.ITEMS, domain: DatasetGroupDomain.VIDEO_ON_DEMAND, fields: [S('ITEM_ID'), SchemaField.long('CREATION_TIMESTAMP')] },
      /field GENRES \(categorical string\) is required in Items schemas \(VIDEO_ON_DEMAND domain\)/],
    ['VIDEO_ON_DEMAND Items without CREATION_TIMESTAMP', { datasetType: DatasetType.ITEMS, domain: DatasetGroupDomain.VIDEO_ON_DEMAND, fields: [S('ITEM_ID'), S('GENRES', { categorical: true })] },
      /field CREATION_TIMESTAMP \(long\) is required in Items schemas \(VIDEO_ON_DEMAND domain\)/],
    ['VIDEO_ON_DEMAND Users with a plain SUBSCRIPTION_MODEL', { datasetType: DatasetType.USERS, domain: DatasetGroupDomain.VIDEO_ON_DEMAND, fields: [S('USER_ID'), S('SUBSCRIPTION_MODEL')] },
      /field SUBSCRIPTION_MODEL must be categorical; the reserved keyword SUBSCRIPTION_MODEL of Users schemas \(VIDEO_ON_DEMAND domain\)/],
    ['VIDEO_ON_DEMAND Interactions with a categorical EVENT_TYPE', {
      datasetType: I, domain: DatasetGroupDomain.VIDEO_ON_DEMAND, fields: interactions(S('EVENT_TYPE', { categorical: true })),
    }, /field EVENT_TYPE is categorical; the required field EVENT_TYPE of Item interactions schemas \(VIDEO_ON_DEMAND domain\) is a string that cannot be categorical/],
  ];

  test.each(cases)('%s', (_title, props, message) => {
    const stack = newStack();
    expect(() => new Schema(stack, 'Schema', props)).toThrow(message);
  });

  test('messages carry the construct path, and every problem is reported at once', () => {
    const stack = newStack();
    expect(() => new Schema(stack, 'Schema', { datasetType: I, fields: [S('USER_ID', { optional: true }), S('ITEM-ID')] }))
      .toThrow(/^\[Recommendations\/Schema\] field name "ITEM-ID" is not an Avro name.*\n\[Recommendations\/Schema\] field ITEM_ID \(string\) is required.*\n.*TIMESTAMP/s);
  });

  test.each([
    ['a custom Interactions schema without EVENT_TYPE', { datasetType: I, fields: interactions() }],
    ['a domain-only field as a custom metadata field', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), S('PRICE', { categorical: true })] }],
    ['ECOMMERCE Items with a float CREATION_TIMESTAMP (the Items page)', {
      datasetType: DatasetType.ITEMS,
      domain: DatasetGroupDomain.ECOMMERCE,
      fields: [S('ITEM_ID'), SchemaField.float('PRICE'), S('CATEGORY_L1', { categorical: true }), SchemaField.float('CREATION_TIMESTAMP')],
    }],
    ['ECOMMERCE Items with a long CREATION_TIMESTAMP (the requirements table)', {
      datasetType: DatasetType.ITEMS,
      domain: DatasetGroupDomain.ECOMMERCE,
      fields: [S('ITEM_ID'), SchemaField.float('PRICE'), S('CATEGORY_L1', { categorical: true }), SchemaField.long('CREATION_TIMESTAMP')],
    }],
    ['Items whose only metadata field is textual', { datasetType: DatasetType.ITEMS, fields: [S('ITEM_ID'), S('DESCRIPTION', { textual: true })] }],
    ['Users with 25 metadata fields', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), ...many(25, (i) => SchemaField.int(`M${i}`))] }],
    ['Interactions with 5 metadata fields and the reserved keywords', {
      datasetType: I,
      fields: interactions(S('EVENT_TYPE'), SchemaField.float('EVENT_VALUE', { optional: true }), S('IMPRESSION', { optional: true }),
        ...many(5, (i) => S(`CONTEXT_${i}`, { categorical: true }))),
    }],
    ['a field with a null-first union and the verbose type form', { datasetType: I, definition: interactionsDoc({ name: 'DEVICE', type: ['null', { type: 'string' }], categorical: true }) }],
    ['a record name written like the dataset type value', {
      datasetType: DatasetType.ACTION_INTERACTIONS,
      definition: SchemaDefinition.fromJson({
        type: 'record',
        name: 'Action_Interactions',
        fields: [{ name: 'USER_ID', type: 'string' }, { name: 'ACTION_ID', type: 'string' }, { name: 'EVENT_TYPE', type: 'string' }, { name: 'TIMESTAMP', type: 'long' }],
      }),
    }],
  ] as Array<[string, SchemaProps]>)('accepted: %s', (_title, props) => {
    expect(() => new Schema(newStack(), 'Schema', props)).not.toThrow();
  });
});
