import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Dataset, DatasetGroup, DatasetImportOptions, DatasetImportSource, DatasetType, ImportMode, Schema, SchemaDefinition, SchemaField,
} from '../../src';
import { MAX_WAIT_TIMEOUT_SECONDS } from '../../src/contract';
import { providerOf, resourcesOfType, serviceTokenOf, snapshotTemplate, synthFindings, testStack, validatingApp } from '../support/stack';

const TYPE = 'Custom::PersonalizeDatasetImport';
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');
const fixture = (name: string) => path.join(FIXTURES, name);
const S = SchemaField.string;
const INTERACTIONS_FIELDS = [S('USER_ID'), S('ITEM_ID'), SchemaField.long('TIMESTAMP'), S('EVENT_TYPE'), S('DEVICE', { categorical: true, optional: true })];

/** A group, an Interactions schema and a dataset importing as told. */
function importing(stack: Stack, dataImport: DatasetImportOptions, group?: DatasetGroup): Dataset {
  const schema = new Schema(stack, 'InteractionsSchema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS });
  return (group ?? new DatasetGroup(stack, 'Retail')).addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema, dataImport });
}

function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

/** The logical id of a dataset's import custom resource. */
function importId(stack: Stack, dataset: Dataset): string {
  return stack.getLogicalId(dataset.node.findChild('Import').node.findChild('Resource').node.defaultChild as any);
}

/** The statements of the policies attached to a role. */
function statementsOf(template: Template, roleLogicalId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function importRoleId(template: Template): string {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: { Description: Match.stringLikeRegexp('Lets Amazon Personalize read the data') },
  });
  expect(Object.keys(roles)).toHaveLength(1);
  return Object.keys(roles)[0];
}

function handlerStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('HandlerRole') }] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** A CSV file with the given text, in a fresh temporary directory. */
function csv(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'import-csv-')), 'data.csv');
  fs.writeFileSync(file, text);
  return file;
}

describe('DatasetImport from a bucket', () => {
  test('the design usage: a dataset imports a CSV file from a bucket of the app once it is ACTIVE', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Data');
    const dataset = importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions/2024-06.csv') });
    const template = Template.fromStack(stack);
    const roleId = importRoleId(template);

    template.hasResource(TYPE, {
      Properties: {
        ServiceToken: serviceTokenOf(stack),
        ServiceTimeout: '3600',
        // A reference: the job is created once the dataset's resource has completed (ACTIVE).
        DatasetArn: { Ref: logicalIdOf(stack, dataset.node.findChild('Resource')) },
        DataLocation: { 'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(stack, bucket) }, '/interactions/2024-06.csv']] },
        ImportMode: 'FULL',
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        WaitForCompletion: true,
        // Imports are slow: they wait as long as a custom resource may, the 55-minute cap.
        WaitTimeoutSeconds: MAX_WAIT_TIMEOUT_SECONDS,
        JobName: Match.absent(),
        StagedFrom: Match.absent(),
        AssetHash: Match.absent(),
      },
      // The role's policy and the bucket policy are in place before Personalize reads the data.
      DependsOn: [Match.stringLikeRegexp('^DataPolicy'), Match.stringLikeRegexp('^RetailInteractionsImportRoleDefaultPolicy'), roleId],
      // Deleting the job only waits for it: the imported data stays in the dataset.
      DeletionPolicy: 'Delete',
    });
    expect(stack.resolve(dataset.importJobArn)).toEqual({ Ref: importId(stack, dataset) });
  });

  test('a dataset without dataImport has no import and no importJobArn', () => {
    const stack = testStack();
    const schema = new Schema(stack, 'S', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), S('TIER', { categorical: true })] });
    const dataset = new DatasetGroup(stack, 'Retail').addDataset('Users', { datasetType: DatasetType.USERS, schema });
    Template.fromStack(stack).resourceCountIs(TYPE, 0);
    expect(dataset.importJobArn).toBeUndefined();
  });

  test('the role Personalize assumes: only Personalize for this account, reading exactly the key', () => {
    const stack = testStack('Stack', { env: { account: '123456789012', region: 'us-east-1' } });
    const bucket = new s3.Bucket(stack, 'Data');
    importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions/2024-06.csv') });
    const template = Template.fromStack(stack);
    const roleId = importRoleId(template);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        }],
      },
    });
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack, bucket), 'Arn'] };
    expect(statementsOf(template, roleId)).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/interactions/2024-06.csv']] } },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn },
    ]);
  });

  test('the bucket policy Personalize requires is added to a bucket of the app, for the same objects', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Data');
    importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions/2024-06.csv') });
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack, bucket), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(stack, bucket) },
      PolicyDocument: {
        Statement: [
          { Action: 's3:GetObject', Effect: 'Allow', Principal: { Service: 'personalize.amazonaws.com' }, Resource: { 'Fn::Join': ['', [bucketArn, '/interactions/2024-06.csv']] } },
          { Action: 's3:ListBucket', Effect: 'Allow', Principal: { Service: 'personalize.amazonaws.com' }, Resource: bucketArn },
        ],
      },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a prefix ending in "/" imports every file under it: the role and the bucket policy cover that prefix only', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Data');
    importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions/') });
    const template = Template.fromStack(stack);
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack, bucket), 'Arn'] }, '/interactions/*']] };
    expect(statementsOf(template, importRoleId(template))[0]).toEqual({ Action: 's3:GetObject', Effect: 'Allow', Resource: objects });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject', Resource: objects })]) },
    });
    template.hasResourceProperties(TYPE, {
      DataLocation: { 'Fn::Join': ['', ['s3://', { Ref: logicalIdOf(stack, bucket) }, '/interactions/']] },
    });
  });

  test('an imported bucket: the role is granted, and a warning says the bucket policy must be added where the bucket is', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Data', 'shared-data');
    importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions.csv') });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    template.hasResourceProperties(TYPE, { DataLocation: 's3://shared-data/interactions.csv' });
    expect(statementsOf(template, importRoleId(template))).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-data/interactions.csv']] } },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-data']] } },
    ]);
    Annotations.fromStack(stack).hasWarning('/TestStack/Retail/Interactions/Import', Match.stringLikeRegexp(
      'bucket shared-data is not defined in this app.*personalize.amazonaws.com s3:GetObject.*s3:ListBucket.*Giving Amazon Personalize access to Amazon S3 resources'));
  });

  test('the handler may pass only the import role, only to Personalize, and manage only import jobs', () => {
    const stack = testStack();
    importing(stack, { source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions.csv') });
    const template = Template.fromStack(stack);
    const statements = handlerStatements(template);
    expect(statements).toContainEqual({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [importRoleId(template), 'Arn'] },
    });
    expect(statements).toContainEqual({
      Action: [
        'personalize:CreateDatasetImportJob', 'personalize:DescribeDatasetImportJob',
        'personalize:TagResource', 'personalize:UntagResource', 'personalize:ListTagsForResource',
      ],
      Effect: 'Allow',
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:', { Ref: 'AWS::Region' }, ':',
          { Ref: 'AWS::AccountId' }, ':dataset-import-job/*']],
      },
    });
    // A bucket source needs no S3 access for the handler: Personalize reads the data with its role.
    expect(JSON.stringify(statements)).not.toContain('s3:');
  });

  test('a given role is used and granted; none is created', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
    const dataset = importing(stack, { source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions.csv'), role });
    const template = Template.fromStack(stack);
    const roleId = logicalIdOf(stack, role);
    // The given role is the only role outside the provider: the import makes none of its own.
    const provider = providerOf(stack)!;
    expect(stack.node.findAll().filter((c) => c instanceof iam.CfnRole && !c.node.path.startsWith(`${provider.node.path}/`))
      .map((c) => c.node.path)).toEqual([role.node.path + '/Resource']);
    template.hasResourceProperties(TYPE, { RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    expect(statementsOf(template, roleId).map((s) => s.Action)).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(handlerStatements(template)).toContainEqual(expect.objectContaining({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } }));
    template.hasResource(TYPE, { DependsOn: Match.arrayWith([roleId]) });
    expect(dataset.node.findChild('Import').node.tryFindChild('Role')).toBeUndefined();
  });

  test('a KMS-encrypted bucket: the role may decrypt with its key, and the key policy admits Personalize', () => {
    const stack = testStack('Stack', { env: { account: '123456789012', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'DataKey');
    const bucket = new s3.Bucket(stack, 'Data', { encryptionKey: key });
    importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions.csv') });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack, key), 'Arn'] };
    expect(statementsOf(template, importRoleId(template))).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        // As the developer guide has it: no condition.
        Statement: Match.arrayWith([{
          Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
          Condition: Match.absent(),
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Resource: '*',
        }]),
      },
    });
    template.hasResource(TYPE, { DependsOn: Match.arrayWith([logicalIdOf(stack, key)]) });
  });

  test('an encrypted dataset group: the import role gets the key permissions Personalize documents for import jobs', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'GroupKey');
    const group = new DatasetGroup(stack, 'Retail', { encryptionKey: key });
    importing(stack, { source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions.csv') }, group);
    const template = Template.fromStack(stack);
    expect(statementsOf(template, importRoleId(template))).toContainEqual({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [logicalIdOf(stack, key), 'Arn'] },
    });
  });

  test('an imported key: the role is granted, and a warning says the key policy must admit Personalize', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Data', { bucketName: 'shared-data', encryptionKey: key });
    importing(stack, { source: DatasetImportSource.fromBucket(bucket, 'interactions.csv') });
    const template = Template.fromStack(stack);
    expect(statementsOf(template, importRoleId(template))).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: key.keyArn });
    Annotations.fromStack(stack).hasWarning('/TestStack/Retail/Interactions/Import', Match.stringLikeRegexp(
      'KMS key arn:aws:kms:.* is not defined in this app.*Giving Amazon Personalize permission to use your AWS KMS key'));
  });

  test('mode, job name, not waiting, and the wait bound', () => {
    const stack = testStack();
    const dataset = importing(stack, {
      source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions.csv'),
      importMode: ImportMode.INCREMENTAL,
      jobName: 'interactions-2024-06',
      waitForCompletion: false,
      waitTimeout: Duration.minutes(20),
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      ImportMode: 'INCREMENTAL', JobName: 'interactions-2024-06', WaitForCompletion: false, WaitTimeoutSeconds: 1200,
    });
    expect(Token.isUnresolved(dataset.importJobArn)).toBe(true);
  });

  test('tags applied to the dataset reach its import job', () => {
    const stack = testStack();
    const dataset = importing(stack, { source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions.csv') });
    Tags.of(dataset).add('team', 'recs');
    Template.fromStack(stack).hasResourceProperties(TYPE, { Tags: [{ Key: 'team', Value: 'recs' }] });
  });

  test('an import adds a custom resource to the stack\'s provider, not another set of functions', () => {
    const withoutImport = testStack();
    new DatasetGroup(withoutImport, 'Retail');
    const stack = testStack();
    importing(stack, { source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions.csv') });
    // Every function of the stack, the Provider framework's included: the import adds none.
    const functions = (s: Stack) => resourcesOfType(Template.fromStack(s).toJSON(), 'AWS::Lambda::Function');
    expect(functions(stack)).toBe(functions(withoutImport));
    expect(resourcesOfType(Template.fromStack(stack).toJSON(), TYPE)).toBe(1);
  });

  describe('validation', () => {
    const bucketSource = (stack: Stack, key: string) => DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), key);

    test.each([
      ['', /source: the key is empty; give the key of a CSV file, or a prefix ending in "\/"/],
      ['/interactions.csv', /source: the key "\/interactions.csv" starts with "\/"/],
      ['k'.repeat(250), /source: the data location s3:\/\/<bucket>\/k+ is at least 259 characters long; Personalize takes at most 256/],
    ])('key %j', (key, message) => {
      const stack = testStack();
      expect(() => importing(stack, { source: bucketSource(stack, key) })).toThrow(message);
    });

    test('the data location counts the bucket name when it is known', () => {
      const ok = testStack();
      expect(() => importing(ok, { source: DatasetImportSource.fromBucket(s3.Bucket.fromBucketName(ok, 'Data', 'b'.repeat(63)), 'k'.repeat(187)) }))
        .not.toThrow();
      const tooLong = testStack();
      expect(() => importing(tooLong, { source: DatasetImportSource.fromBucket(s3.Bucket.fromBucketName(tooLong, 'Data', 'b'.repeat(63)), 'k'.repeat(188)) }))
        .toThrow(/the data location s3:\/\/b+\/k+ is 257 characters long; Personalize takes at most 256/);
    });

    test.each(['-starts-with-dash', 'has space', 'x'.repeat(64)])('job name %j', (jobName) => {
      const stack = testStack();
      expect(() => importing(stack, { source: bucketSource(stack, 'interactions.csv'), jobName }))
        .toThrow(/^\[TestStack\/Retail\/Interactions\/Import\] dataImport.jobName ".*" (must match|is 64 characters long)/);
    });

    test('the wait bound is at most 55 minutes', () => {
      const stack = testStack();
      expect(() => importing(stack, { source: bucketSource(stack, 'interactions.csv'), waitTimeout: Duration.minutes(56) }))
        .toThrow(/waitTimeout is 3360 seconds; it must be from 1 second to 55 minutes/);
    });

    test('unresolved keys and names are not checked', () => {
      const stack = testStack();
      const key = Token.asString({ Ref: 'Key' });
      expect(() => importing(stack, { source: bucketSource(stack, key), jobName: Token.asString({ Ref: 'Name' }) })).not.toThrow();
    });
  });
});

describe('DatasetImport from a local file (asset)', () => {
  test('the file is staged as an asset and copied by the handler into the stack\'s staging bucket, which Personalize may read', () => {
    const stack = testStack();
    const dataset = importing(stack, { source: DatasetImportSource.fromAsset(fixture('interactions.csv')) });
    const template = Template.fromStack(stack);
    // The stack's provider holds the staging bucket, whatever the number of imports.
    const staging = providerOf(Stack.of(dataset))!.node.findChild('StagingBucket') as s3.Bucket;
    const stagingId = logicalIdOf(stack, staging);
    const stagingArn = { 'Fn::GetAtt': [stagingId, 'Arn'] };
    const resource = Object.values(template.findResources(TYPE))[0];
    const hash = resource.Properties.AssetHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(resource.Properties.DataLocation).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: stagingId }, `/${hash}.csv`]] });
    expect(resource.Properties.StagedFrom).toEqual({
      'Fn::Join': ['', ['s3://', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, `/${hash}.csv`]],
    });

    // The handler reads the asset and writes its copy; Personalize reads the copy with its role.
    const objectArn = { 'Fn::Join': ['', [stagingArn, `/${hash}.csv`]] };
    const handler = handlerStatements(template);
    expect(handler).toContainEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, `/${hash}.csv`]] },
    });
    // CopyObject writes the copy; HeadObject (GetObject, and ListBucket for a 404 rather than a 403) sees
    // whether it is still there; DeleteObject removes it once the job has ended.
    expect(handler).toContainEqual({ Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Effect: 'Allow', Resource: objectArn });
    expect(handler).toContainEqual({ Action: 's3:ListBucket', Effect: 'Allow', Resource: stagingArn });
    expect(statementsOf(template, importRoleId(template))).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objectArn },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: stagingArn },
    ]);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stagingId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:GetObject', Principal: { Service: 'personalize.amazonaws.com' }, Resource: objectArn }),
          Match.objectLike({ Action: 's3:ListBucket', Principal: { Service: 'personalize.amazonaws.com' }, Resource: stagingArn }),
        ]),
      },
    });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LifecycleConfiguration: { Rules: [{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, ExpirationInDays: 7, Status: 'Enabled' }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResource(TYPE, { DependsOn: Match.arrayWith([logicalIdOf(stack, staging.policy!)]) });
  });

  test('one staging bucket per stack, however many datasets import local files', () => {
    const stack = testStack();
    const group = new DatasetGroup(stack, 'Retail');
    importing(stack, { source: DatasetImportSource.fromAsset(fixture('interactions.csv')) }, group);
    const users = new Schema(stack, 'UsersSchema', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), S('TIER', { categorical: true })] });
    group.addDataset('Users', {
      datasetType: DatasetType.USERS, schema: users, dataImport: { source: DatasetImportSource.fromAsset(csv('USER_ID,TIER\nu1,gold\n')) },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs(TYPE, 2);
  });

  test('a changed file is a new asset hash: the import\'s properties change, so a new job runs', () => {
    const properties = (file: string) => {
      const stack = testStack();
      importing(stack, { source: DatasetImportSource.fromAsset(file) });
      return Object.values(Template.fromStack(stack).findResources(TYPE))[0].Properties;
    };
    const v1 = properties(fixture('interactions.csv'));
    const v2 = properties(fixture('interactions-v2.csv'));
    expect(v2.AssetHash).not.toEqual(v1.AssetHash);
    expect(v2.DataLocation).not.toEqual(v1.DataLocation);
    expect(properties(fixture('interactions.csv'))).toEqual(v1);
  });

  test('a missing file or a directory is an error', () => {
    const stack = testStack();
    expect(() => importing(stack, { source: DatasetImportSource.fromAsset(fixture('nope.csv')) }))
      .toThrow(/source: the CSV file .*nope.csv does not exist/);
    const other = testStack();
    expect(() => importing(other, { source: DatasetImportSource.fromAsset(FIXTURES) })).toThrow(/is a directory; fromAsset takes one CSV file/);
  });

  describe('the header row is checked against the schema at synth time', () => {
    const check = (file: string) => () => importing(testStack(), { source: DatasetImportSource.fromAsset(file) });

    test('a header that is not a field of the schema: line, column, header and the schema\'s fields', () => {
      expect(check(fixture('unknown-header.csv'))).toThrow(new RegExp(
        '^\\[TestStack/Retail/Interactions/Import\\] source file .*unknown-header.csv, line 1, column 9 \\(header 2\\): header "ITEMID" ' +
        'is not a field of schema TestStack/InteractionsSchema \\(its fields: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, DEVICE\\)'));
    });

    test('a required field without a column: where the header row ends, and the field', () => {
      expect(check(fixture('missing-required.csv'))).toThrow(new RegExp(
        'source file .*missing-required.csv, line 1, column 27 \\(end of the header row\\): required field TIMESTAMP of schema ' +
        'TestStack/InteractionsSchema has no column; only optional fields \\(a union with "null"\\) can be left out'));
    });

    test('headers in quotation marks are read, and reported: Personalize takes them without', () => {
      const error = () => check(fixture('quoted-headers.csv'))();
      expect(error).toThrow(/line 1, column 1 \(header 1\): header "USER_ID" is enclosed in quotation marks; Personalize takes the column names without them/);
      expect(error).toThrow(/line 1, column 11 \(header 2\): header "ITEM_ID" is enclosed in quotation marks/);
      expect(error).not.toThrow(/is not a field/);
    });

    test('every problem is reported at once', () => {
      expect(check(csv('USER_ID,ITEM_ID,USER_ID,,Event_Type, DEVICE\n'))).toThrow(new RegExp([
        'line 1, column 17 \\(header 3\\): header "USER_ID" appears again \\(first at column 1\\); each field has one column',
        'line 1, column 25 \\(header 4\\): the header is empty',
        'line 1, column 26 \\(header 5\\): header "Event_Type" is not a field .*; did you mean EVENT_TYPE\\? \\(names must match exactly\\)',
        'line 1, column 37 \\(header 6\\): header " DEVICE" is not a field .*; remove the spaces around "DEVICE"',
        'line 1, column 44 \\(end of the header row\\): required field TIMESTAMP',
        'line 1, column 44 \\(end of the header row\\): required field EVENT_TYPE',
      ].join('.*'), 's'));
    });

    test('a quoted header with a line break, a comma or a quotation mark: lines and columns count from where they are', () => {
      expect(check(csv('USER_ID,"ITEM\nID","A,""B""",TIMESTAMP,EVENT_TYPE\n'))).toThrow(new RegExp([
        'line 1, column 9 \\(header 2\\): header "ITEM\\nID" is enclosed in quotation marks',
        'line 1, column 9 \\(header 2\\): header "ITEM\\nID" is not a field',
        'line 2, column 5 \\(header 3\\): header "A,"B"" is enclosed in quotation marks',
        'line 2, column 5 \\(header 3\\): header "A,"B"" is not a field',
        'line 2, column 35 \\(end of the header row\\): required field ITEM_ID',
      ].join('.*'), 's'));
    });

    test.each([
      ['an unclosed quotation mark', 'USER_ID,"ITEM_ID,TIMESTAMP\n', /line 1, column 9: the quotation mark that opens header 2 is never closed/],
      ['text after a closing quotation mark', '"USER_ID"x,ITEM_ID\n', /line 1, column 10: a quoted header must be followed by a comma or the end of the row, not "x"/],
      ['a quotation mark inside a header', 'USER_"ID,ITEM_ID\n', /line 1, column 6: a quotation mark inside header 1; quote the whole header or none of it/],
      ['an empty first row', '\nUSER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n', /line 1, column 1: the first row is empty; Personalize reads the column names from the first row/],
      ['an empty file', '', /line 1, column 1: the first row is empty/],
    ])('%s', (_title, text, message) => {
      expect(check(csv(text))).toThrow(message);
    });

    test.each([
      ['the exact fields', 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,DEVICE\nu1,i1,1,click,phone\n'],
      ['optional fields left out, in any order', 'EVENT_TYPE,TIMESTAMP,ITEM_ID,USER_ID\nclick,1,i1,u1\n'],
      ['Windows line ends', 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\r\nu1,i1,1,click\r\n'],
      ['a byte order mark', '\uFEFFUSER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n'],
      ['a header row only, without a line end', 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE'],
    ])('passes: %s', (_title, text) => {
      expect(check(csv(text))).not.toThrow();
    });

    test('an Avro JSON schema is checked the same way', () => {
      const stack = testStack();
      const schema = Schema.fromAvroJson(stack, 'InteractionsSchema', {
        datasetType: DatasetType.INTERACTIONS,
        json: {
          type: 'record',
          name: 'Interactions',
          namespace: 'com.amazonaws.personalize.schema',
          version: '1.0',
          fields: [{ name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' },
            { name: 'EVENT_VALUE', type: ['float', 'null'] }],
        },
      });
      const group = new DatasetGroup(stack, 'Retail');
      expect(() => group.addDataset('Interactions', {
        datasetType: DatasetType.INTERACTIONS, schema, dataImport: { source: DatasetImportSource.fromAsset(fixture('interactions.csv')) },
      })).toThrow(/header "EVENT_TYPE" is not a field of schema TestStack\/InteractionsSchema \(its fields: USER_ID, ITEM_ID, TIMESTAMP, EVENT_VALUE\)/);
    });

    test('skipped when the schema\'s fields are not known at synth time: an imported schema, or a document with tokens', () => {
      const stack = testStack();
      const imported = Schema.fromSchemaAttributes(stack, 'Imported', {
        schemaArn: 'arn:aws:personalize:us-east-1:123456789012:schema/legacy', datasetType: DatasetType.INTERACTIONS,
      });
      const group = new DatasetGroup(stack, 'Retail');
      const source = DatasetImportSource.fromAsset(fixture('unknown-header.csv'));
      expect(() => group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: imported, dataImport: { source } }))
        .not.toThrow();

      const other = testStack();
      const tokenSchema = new Schema(other, 'S', {
        datasetType: DatasetType.INTERACTIONS, definition: SchemaDefinition.fromString(Token.asString({ Ref: 'SchemaText' })),
      });
      expect(() => new DatasetGroup(other, 'Retail').addDataset('Interactions', {
        datasetType: DatasetType.INTERACTIONS, schema: tokenSchema, dataImport: { source: DatasetImportSource.fromAsset(fixture('unknown-header.csv')) },
      })).not.toThrow();
    });
  });
});

describe('cdk-nag and CloudFormation schema validation', () => {
  function findings(build: (stack: Stack) => void): string {
    const app = validatingApp();
    build(new Stack(app, 'Recommendations'));
    return synthFindings(app);
  }

  /** A bucket that is itself compliant, so that any finding is the library's. */
  const compliantBucket = (stack: Stack, key?: kms.IKey) => new s3.Bucket(stack, 'Data', {
    enforceSSL: true,
    encryptionKey: key,
    serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs'),
  });

  test('imports from a prefix, a KMS-encrypted bucket and a local file, into an encrypted group, bring no finding', () => {
    const text = findings((stack) => {
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      const group = new DatasetGroup(stack, 'Retail', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
      importing(stack, { source: DatasetImportSource.fromBucket(compliantBucket(stack, key), 'interactions/') }, group);
      const users = new Schema(stack, 'UsersSchema', { datasetType: DatasetType.USERS, fields: [S('USER_ID'), S('TIER', { categorical: true })] });
      group.addDataset('Users', {
        datasetType: DatasetType.USERS, schema: users, dataImport: { source: DatasetImportSource.fromAsset(csv('USER_ID,TIER\n')) },
      });
    });
    expect(text).toBe('');
  });

  test('acknowledgments stay on the library\'s constructs: the user\'s own bucket is still reported', () => {
    const text = findings((stack) => {
      importing(stack, { source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions/') });
    });
    expect(text).toContain('Recommendations/Data/Resource');
    expect(text).toContain('AwsSolutions-S1');
    expect(text).not.toContain('/Import/');
  });
});

describe('snapshots', () => {
  /** snapshotTemplate masks the staged CSV's hash (its key is <hash>.csv) too. */
  const snapshotOf = snapshotTemplate;

  test('a dataset importing from a bucket of the app', () => {
    const stack = testStack('Snapshot');
    importing(stack, {
      source: DatasetImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'interactions/'),
      importMode: ImportMode.INCREMENTAL,
    });
    expect(snapshotOf(stack)).toMatchSnapshot();
  });

  test('a dataset importing a local file', () => {
    const stack = testStack('Snapshot');
    importing(stack, { source: DatasetImportSource.fromAsset(fixture('interactions.csv')), waitForCompletion: false });
    expect(snapshotOf(stack)).toMatchSnapshot();
  });
});
