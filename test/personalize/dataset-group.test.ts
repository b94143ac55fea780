import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetGroup, DatasetGroupDomain } from '../../src';
import { MAX_WAIT_TIMEOUT_SECONDS } from '../../src/contract';
import { providerOf, resourcesOfType, snapshotTemplate, testStack } from '../support/stack';

const TYPE = 'Custom::PersonalizeDatasetGroup';

describe('DatasetGroup', () => {
  test('defaults: a custom group with a generated name, retained, waiting 30 minutes', () => {
    const stack = testStack();
    const group = new DatasetGroup(stack, 'Retail');
    const template = Template.fromStack(stack);
    template.hasResource(TYPE, {
      // ServiceTimeout: CloudFormation's own ceiling for a custom resource, said explicitly.
      Properties: { ServiceToken: Match.anyValue(), ServiceTimeout: '3600', WaitTimeoutSeconds: 1800 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const props = Object.values(template.findResources(TYPE))[0].Properties;
    expect(Object.keys(props).sort()).toEqual(['ServiceTimeout', 'ServiceToken', 'WaitTimeoutSeconds']);
    const id = Object.keys(template.findResources(TYPE))[0];
    expect(stack.resolve(group.datasetGroupArn)).toEqual({ Ref: id });
    expect(stack.resolve(group.datasetGroupName)).toEqual({ 'Fn::GetAtt': [id, 'DatasetGroupName'] });
    expect(group.removalPolicy).toBe(RemovalPolicy.RETAIN);
  });

  test('every prop reaches the resource', () => {
    const stack = testStack();
    new DatasetGroup(stack, 'Retail', {
      datasetGroupName: 'retail-recs_1',
      domain: DatasetGroupDomain.ECOMMERCE,
      removalPolicy: RemovalPolicy.DESTROY,
      waitTimeout: Duration.minutes(10),
    });
    Template.fromStack(stack).hasResource(TYPE, {
      Properties: { Name: 'retail-recs_1', Domain: 'ECOMMERCE', WaitTimeoutSeconds: 600 },
      DeletionPolicy: 'Delete',
    });
  });

  test('a fixed name is the name attribute, without a GetAtt', () => {
    const stack = testStack();
    const group = new DatasetGroup(stack, 'Retail', { datasetGroupName: 'retail' });
    expect(group.datasetGroupName).toBe('retail');
  });

  describe('encryption', () => {
    test('a key gets a Personalize role with the key permissions, a key policy for Personalize, and PassRole for the handler', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'Key');
      const group = new DatasetGroup(stack, 'Retail', { encryptionKey: key });
      const template = Template.fromStack(stack);
      const roleId = stack.getLogicalId(group.role!.node.defaultChild as iam.CfnRole);
      template.hasResourceProperties(TYPE, {
        KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({
            Principal: { Service: 'personalize.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          })],
        },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: [Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          })],
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'personalize.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
          })]),
        },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
          }]),
        },
      });
      // The group waits for the role's policy: Personalize checks the key through the role at creation.
      const groupResource = Object.values(template.findResources(TYPE))[0];
      expect(groupResource.DependsOn).toEqual(expect.arrayContaining([roleId, expect.stringMatching(/^RetailPersonalizeRoleDefaultPolicy/)]));
    });

    test('an explicit role is used instead of a new one, and gets the key permissions', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'Key');
      const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
      const group = new DatasetGroup(stack, 'Retail', { encryptionKey: key, role });
      expect(group.role).toBe(role);
      const template = Template.fromStack(stack);
      // No Personalize role of the group's own: the only role outside the provider is MyRole.
      expect(group.node.tryFindChild('PersonalizeRole')).toBeUndefined();
      const provider = providerOf(stack)!;
      const rolesOutsideProvider = stack.node.findAll()
        .filter((c) => c instanceof iam.CfnRole && !c.node.path.startsWith(`${provider.node.path}/`))
        .map((c) => c.node.path);
      expect(rolesOutsideProvider).toEqual(['TestStack/MyRole/Resource']);
      template.hasResourceProperties(TYPE, { RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyRole'), 'Arn'] } });
    });

    test('the key policy admits personalize.amazonaws.com as the developer guide has it: no condition', () => {
      const stack = testStack();
      new DatasetGroup(stack, 'Retail', { encryptionKey: new kms.Key(stack, 'Key') });
      const key = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0];
      const forPersonalize = key.Properties.KeyPolicy.Statement
        .filter((statement: any) => JSON.stringify(statement.Principal).includes('personalize.amazonaws.com'));
      expect(forPersonalize).toEqual([{
        Effect: 'Allow',
        Principal: { Service: 'personalize.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
        Resource: '*',
      }]);
    });

    test('an imported key is used without touching its policy, with a warning that says what to add where', () => {
      const stack = testStack();
      const arn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const key = kms.Key.fromKeyArn(stack, 'Key', arn);
      new DatasetGroup(stack, 'Retail', { encryptionKey: key });
      Template.fromStack(stack).hasResourceProperties(TYPE, { KmsKeyArn: arn });
      expect(resourcesOfType(Template.fromStack(stack).toJSON(), 'AWS::KMS::Key')).toBe(0);
      Annotations.fromStack(stack).hasWarning('/TestStack/Retail', Match.stringLikeRegexp(
        `The KMS key ${arn} is not defined in this app, so its policy cannot be changed here\\. .*personalize\\.amazonaws\\.com.*` +
        '"Giving Amazon Personalize permission to use your AWS KMS key".*add it where the key is defined\\. ' +
        '\\[ack: cdk-datasets:personalize-group-key-policy\\]'));
    });

    test('an alias is refused, naming the property and what to pass instead', () => {
      const stack = testStack();
      const alias = new kms.Alias(stack, 'Alias', { aliasName: 'alias/recs', targetKey: new kms.Key(stack, 'Key') });
      expect(() => new DatasetGroup(stack, 'Retail', { encryptionKey: alias }))
        .toThrow(/^\[TestStack\/Retail\] encryptionKey is an alias \(.*\); Personalize takes a key ARN, so pass the key itself \(for an alias of this app, alias\.aliasTargetKey; for an existing key, kms\.Key\.fromKeyArn\)/);
      const imported = kms.Alias.fromAliasName(stack, 'Imported', 'alias/legacy');
      expect(() => new DatasetGroup(stack, 'Legacy', { encryptionKey: imported }))
        .toThrow(/\[TestStack\/Legacy\] encryptionKey is an alias \(alias\/legacy\); Personalize takes a key ARN/);
    });
  });

  describe('validation', () => {
    test.each([
      ['-starts-with-hyphen', /datasetGroupName "-starts-with-hyphen" must match/],
      ['has space', /datasetGroupName "has space" must match/],
      ['a'.repeat(64), /datasetGroupName "a{64}" is 64 characters long; it must be 1 to 63 characters/],
      ['', /datasetGroupName "" is 0 characters long; it must be 1 to 63 characters/],
    ])('name %j is rejected with the path, the value and the rule', (name, message) => {
      const stack = testStack();
      expect(() => new DatasetGroup(stack, 'Retail', { datasetGroupName: name })).toThrow(message);
      expect(() => new DatasetGroup(testStack(), 'Retail', { datasetGroupName: name })).toThrow(/^\[TestStack\/Retail\]/);
    });

    test('an unresolved name is not checked', () => {
      const stack = testStack();
      const name = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }).roleName;
      expect(() => new DatasetGroup(stack, 'Retail', { datasetGroupName: name })).not.toThrow();
    });

    test('a role without a key is rejected', () => {
      const stack = testStack();
      const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
      expect(() => new DatasetGroup(stack, 'Retail', { role }))
        .toThrow('[TestStack/Retail] role is only used to give Personalize access to encryptionKey; set encryptionKey too, or remove role');
    });

    test.each([Duration.seconds(0), Duration.minutes(56), Duration.minutes(61)])('a wait bound of %s is rejected', (waitTimeout) => {
      expect(() => new DatasetGroup(testStack(), 'Retail', { waitTimeout }))
        .toThrow(/waitTimeout is \d+ seconds; it must be from 1 second to 55 minutes \(CloudFormation gives a custom resource an hour at most/);
    });

    test('a wait bound of 55 minutes, the cap, is accepted', () => {
      const stack = testStack();
      new DatasetGroup(stack, 'Retail', { waitTimeout: Duration.minutes(55) });
      Template.fromStack(stack).hasResourceProperties(TYPE, { WaitTimeoutSeconds: MAX_WAIT_TIMEOUT_SECONDS });
    });

    test('more than 49 tags fail synthesis (one is kept for the ownership tag)', () => {
      const stack = testStack();
      const group = new DatasetGroup(stack, 'Retail');
      for (let i = 0; i < 50; i++) Tags.of(group).add(`k${i}`, 'v');
      expect(() => Template.fromStack(stack)).toThrow(/tags: 50 tags are applied; at most 49 are allowed/);
    });

    test('tag keys and values follow Personalize\'s patterns', () => {
      const stack = testStack();
      const group = new DatasetGroup(stack, 'Retail');
      Tags.of(group).add('bad*key', 'ok');
      Tags.of(group).add('aws:reserved', 'x');
      Tags.of(group).add('long', 'v'.repeat(257));
      expect(() => Template.fromStack(stack)).toThrow(/tag key "bad\*key" must match/);
      expect(() => Template.fromStack(stack)).toThrow(/tag key "aws:reserved" uses the reserved prefix "aws:"/);
      expect(() => Template.fromStack(stack)).toThrow(/tag value of "long" "v+\.\.\." is 257 characters long; it must be 0 to 256/);
    });
  });

  test('tags applied with Tags.of reach the resource, and the Personalize role', () => {
    const stack = testStack();
    const group = new DatasetGroup(stack, 'Retail', { encryptionKey: new kms.Key(stack, 'Key') });
    Tags.of(group).add('team', 'recs');
    Tags.of(group).add('cost-center', '42');
    const template = Template.fromStack(stack);
    template.hasResourceProperties(TYPE, { Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'recs' }] });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'personalize.amazonaws.com' } })] }),
      Tags: Match.arrayWith([{ Key: 'team', Value: 'recs' }]),
    });
  });

  describe('imports', () => {
    test('fromDatasetGroupArn gives the ARN and name', () => {
      const stack = testStack();
      const group = DatasetGroup.fromDatasetGroupArn(stack, 'Legacy', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');
      expect(group.datasetGroupArn).toBe('arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');
      expect(group.datasetGroupName).toBe('legacy');
      expect(group.domain).toBeUndefined();
      expect(group.env).toEqual({ account: '123456789012', region: 'us-east-1' });
    });

    test('fromDatasetGroupAttributes keeps the domain', () => {
      const group = DatasetGroup.fromDatasetGroupAttributes(testStack(), 'Legacy', {
        datasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy',
        domain: DatasetGroupDomain.VIDEO_ON_DEMAND,
      });
      expect(group.domain).toBe(DatasetGroupDomain.VIDEO_ON_DEMAND);
    });

    test('a token ARN gives a token name', () => {
      const stack = testStack();
      const arn = new DatasetGroup(stack, 'Source').datasetGroupArn;
      const group = DatasetGroup.fromDatasetGroupArn(stack, 'Imported', arn);
      expect(stack.resolve(group.datasetGroupName)).toEqual({
        'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', stack.resolve(arn)] }] }] }],
      });
    });

    test('an ARN of another kind is rejected', () => {
      expect(() => DatasetGroup.fromDatasetGroupArn(testStack(), 'Legacy', 'arn:aws:personalize:us-east-1:123456789012:schema/x'))
        .toThrow(/datasetGroupArn "arn:aws:personalize:us-east-1:123456789012:schema\/x" is not a Personalize dataset group ARN/);
    });
  });

  describe('grants', () => {
    test('grantRead gives describe and list tags on the group only', () => {
      const stack = testStack();
      const group = new DatasetGroup(stack, 'Retail');
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
      group.grantRead(role);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
        PolicyDocument: {
          Statement: [{
            Action: ['personalize:DescribeDatasetGroup', 'personalize:ListTagsForResource'],
            Effect: 'Allow',
            Resource: stack.resolve(group.datasetGroupArn),
          }],
        },
      });
    });

    test('grant gives any actions on an imported group', () => {
      const stack = testStack();
      const group = DatasetGroup.fromDatasetGroupArn(stack, 'Legacy', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy');
      const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
      group.grant(role, 'personalize:CreateSolution');
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [{
            Action: 'personalize:CreateSolution',
            Effect: 'Allow',
            Resource: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/legacy',
          }],
        },
      });
    });
  });

  describe('the shared provider', () => {
    function templateFor(groups: number): Template {
      const stack = testStack();
      for (let i = 0; i < groups; i++) new DatasetGroup(stack, `Group${i}`);
      return Template.fromStack(stack);
    }

    test('1 group and 10 groups make the same functions: one onEvent and one isComplete handler', () => {
      const one = templateFor(1);
      const ten = templateFor(10);
      // All the functions, the Provider framework's included: 10 groups add none of them again.
      const functions = (template: Template) => resourcesOfType(template.toJSON(), 'AWS::Lambda::Function');
      expect(functions(ten)).toBe(functions(one));
      for (const handler of ['index.onEvent', 'index.isComplete']) {
        expect(Object.keys(ten.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }))).toHaveLength(1);
      }
      expect(resourcesOfType(ten.toJSON(), TYPE)).toBe(10);
    });

    test('the handler runs on the newest Node.js runtime', () => {
      const template = templateFor(1);
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: 'nodejs24.x' });
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs24.x' });
    });

    test('the handler role may only manage dataset groups of this account and region', () => {
      const stack = testStack();
      new DatasetGroup(stack, 'A');
      new DatasetGroup(stack, 'B');
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('HandlerRole') }] },
      });
      const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement;
      const personalize = statements.filter((s: any) => JSON.stringify(s.Action).includes('personalize:'));
      expect(personalize).toEqual([{
        Action: [
          'personalize:CreateDatasetGroup', 'personalize:DescribeDatasetGroup', 'personalize:DeleteDatasetGroup',
          'personalize:TagResource', 'personalize:UntagResource', 'personalize:ListTagsForResource',
        ],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:', { Ref: 'AWS::Region' }, ':',
            { Ref: 'AWS::AccountId' }, ':dataset-group/*']],
        },
      }]);
    });
  });

  test('snapshot: a custom, an encrypted and a domain group', () => {
    const stack = testStack('Snapshot');
    new DatasetGroup(stack, 'Custom');
    new DatasetGroup(stack, 'Encrypted', { encryptionKey: new kms.Key(stack, 'Key'), datasetGroupName: 'encrypted' });
    new DatasetGroup(stack, 'Video', { domain: DatasetGroupDomain.VIDEO_ON_DEMAND, removalPolicy: RemovalPolicy.DESTROY });
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });
});
