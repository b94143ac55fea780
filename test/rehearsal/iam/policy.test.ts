/**
 * The identity-based policy evaluator: IAM's matching of actions, resources and conditions, and its
 * decision (explicit Deny, then Allow, else implicit deny).
 */
import { conditionsHold, evaluate, PolicyDocument, PolicyStatement, resourceMatches } from '../../../rehearsal/iam/policy';

const GROUP = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/shop';
const DATASET = 'arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS';
const ROLE = 'arn:aws:iam::123456789012:role/service/PersonalizeRole';

const doc = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allow = (Action: string | string[], Resource: string | string[], Condition?: any): PolicyStatement =>
  ({ Effect: 'Allow', Action, Resource, Condition });
const decide = (policies: PolicyDocument[], action: string, resource: string, context?: Record<string, string | string[]>) =>
  evaluate(policies, { action, resource, context }).decision;

describe('statements and the decision', () => {
  test('a single Statement object, or a list; no statement that matches is an implicit deny', () => {
    const single: PolicyDocument = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'personalize:DescribeDataset', Resource: DATASET } };
    expect(decide([single], 'personalize:DescribeDataset', DATASET)).toBe('Allow');
    expect(decide([single], 'personalize:DeleteDataset', DATASET)).toBe('ImplicitDeny');
    expect(decide([], 'personalize:DescribeDataset', DATASET)).toBe('ImplicitDeny');
  });

  test('an explicit Deny wins over any Allow, in any policy and in any order', () => {
    const allowAll = doc(allow('personalize:*', '*'));
    const deny = doc({ Effect: 'Deny', Action: 'personalize:DeleteDataset', Resource: DATASET });
    expect(decide([allowAll, deny], 'personalize:DeleteDataset', DATASET)).toBe('ExplicitDeny');
    expect(decide([deny, allowAll], 'personalize:DeleteDataset', DATASET)).toBe('ExplicitDeny');
    expect(decide([deny, allowAll], 'personalize:DescribeDataset', DATASET)).toBe('Allow');
    const result = evaluate([allowAll, doc(allow('s3:GetObject', '*'), { Sid: 'NoDelete', Effect: 'Deny', Action: '*', Resource: DATASET })],
      { action: 'personalize:DeleteDataset', resource: DATASET });
    expect(result).toEqual({ decision: 'ExplicitDeny', statement: { policy: 1, statement: 1, sid: 'NoDelete' } });
  });

  test('a Deny whose condition does not hold does not deny', () => {
    const policies = [doc(allow('personalize:*', '*'),
      { Effect: 'Deny', Action: 'personalize:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })];
    expect(decide(policies, 'personalize:CreateDatasetGroup', GROUP, { 'aws:RequestedRegion': 'us-east-1' })).toBe('Allow');
    expect(decide(policies, 'personalize:CreateDatasetGroup', GROUP, { 'aws:RequestedRegion': 'eu-west-1' })).toBe('ExplicitDeny');
  });

  test('malformed or unsupported statements are errors, not guesses', () => {
    const check = (statement: any, version = '2012-10-17') => () => evaluate([{ Version: version, Statement: [statement] }], { action: 'a:b', resource: '*' });
    expect(check({ Effect: 'Permit', Action: '*', Resource: '*' })).toThrow(/Effect must be Allow or Deny/);
    expect(check({ Effect: 'Allow', Resource: '*' })).toThrow(/exactly one of Action and NotAction/);
    expect(check({ Effect: 'Allow', Action: '*', NotAction: 'x:y', Resource: '*' })).toThrow(/exactly one of Action and NotAction/);
    expect(check({ Effect: 'Allow', Action: '*' })).toThrow(/exactly one of Resource and NotResource/);
    expect(check({ Effect: 'Allow', Action: '*', Resource: '*', Principal: { Service: 'x' } })).toThrow(/resource-based policy/);
    expect(check({ Effect: 'Allow', Action: '*', Resource: { 'Fn::GetAtt': ['Role', 'Arn'] } })).toThrow(/unresolved intrinsic/);
    expect(check({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::home/${aws:username}/*' })).toThrow(/policy variable/);
    expect(() => evaluate([{} as any], { action: 'a:b', resource: '*' })).toThrow(/no Statement/);
  });
});

describe('actions', () => {
  test('wildcards * and ?, case-insensitive', () => {
    const policies = [doc(allow(['personalize:Describe*', 'S3:getobjec?'], '*'))];
    expect(decide(policies, 'personalize:DescribeDatasetGroup', GROUP)).toBe('Allow');
    expect(decide(policies, 'PERSONALIZE:describedataset', DATASET)).toBe('Allow');
    expect(decide(policies, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('Allow');
    expect(decide(policies, 's3:GetObjects', 'arn:aws:s3:::b/k')).toBe('ImplicitDeny');
    expect(decide(policies, 'personalize:CreateDataset', DATASET)).toBe('ImplicitDeny');
  });

  test('NotAction: every action but the listed ones', () => {
    const policies = [doc({ Effect: 'Allow', NotAction: ['iam:*', 'personalize:Delete*'], Resource: '*' })];
    expect(decide(policies, 'personalize:CreateDataset', DATASET)).toBe('Allow');
    expect(decide(policies, 'personalize:DeleteDataset', DATASET)).toBe('ImplicitDeny');
    expect(decide(policies, 'iam:PassRole', ROLE)).toBe('ImplicitDeny');
    // A Deny with NotAction denies everything else.
    const denyOthers = [doc(allow('*', '*'), { Effect: 'Deny', NotAction: 'personalize:Describe*', Resource: '*' })];
    expect(decide(denyOthers, 'personalize:DescribeDataset', DATASET)).toBe('Allow');
    expect(decide(denyOthers, 'personalize:CreateDataset', DATASET)).toBe('ExplicitDeny');
  });
});

describe('resources', () => {
  test('case-sensitive, with wildcards; paths after the type match a trailing *', () => {
    const policies = [doc(allow('personalize:*', 'arn:aws:personalize:us-east-1:123456789012:dataset/*'))];
    expect(decide(policies, 'personalize:DescribeDataset', DATASET)).toBe('Allow');
    expect(decide(policies, 'personalize:DescribeDataset', DATASET.replace('dataset/', 'Dataset/'))).toBe('ImplicitDeny');
    expect(decide(policies, 'personalize:DescribeDatasetGroup', GROUP)).toBe('ImplicitDeny');
    expect(resourceMatches('arn:aws:personalize:us-east-1:123456789012:dataset/sho?/*', DATASET)).toBe(true);
  });

  test('only * covers the resource *; an ARN pattern does not', () => {
    expect(resourceMatches('*', '*')).toBe(true);
    expect(resourceMatches('arn:aws:personalize:*:*:*', '*')).toBe(false);
    expect(decide([doc(allow('personalize:ListDatasets', 'arn:aws:personalize:*:*:*'))], 'personalize:ListDatasets', '*')).toBe('ImplicitDeny');
    expect(decide([doc(allow('personalize:ListDatasets', '*'))], 'personalize:ListDatasets', '*')).toBe('Allow');
  });

  test('ARNs are matched component by component: a * inside a component does not cross its colons', () => {
    expect(resourceMatches('arn:aws:personalize:*:123456789012:dataset/*', DATASET)).toBe(true);
    expect(resourceMatches('arn:aws:personalize:us-*:123456789012:dataset/*', DATASET)).toBe(true);
    expect(resourceMatches('arn:aws:personalize:us-east-1*dataset/shop/INTERACTIONS', DATASET)).toBe(false);
    expect(resourceMatches('arn:aws:personalize:us-east-1:*:dataset/shop/INTERACTIONS', DATASET)).toBe(true);
    // A pattern with fewer components whose last one ends in * covers the rest.
    expect(resourceMatches('arn:aws:personalize:*', DATASET)).toBe(true);
    expect(resourceMatches('arn:aws:s3:*', DATASET)).toBe(false);
    // The resource component keeps its colons.
    expect(resourceMatches('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*',
      'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:abc')).toBe(true);
  });

  test('NotResource: every resource but the listed ones', () => {
    const policies = [doc({ Effect: 'Allow', Action: 'personalize:*', NotResource: 'arn:aws:personalize:*:*:dataset-group/*' })];
    expect(decide(policies, 'personalize:DescribeDataset', DATASET)).toBe('Allow');
    expect(decide(policies, 'personalize:DescribeDatasetGroup', GROUP)).toBe('ImplicitDeny');
    expect(decide(policies, 'personalize:ListDatasets', '*')).toBe('Allow');
  });
});

describe('conditions', () => {
  const passRole = (Condition: any) => [doc(allow('iam:PassRole', ROLE, Condition))];

  test('values of one key are alternatives (OR); keys and operators must all hold (AND)', () => {
    const or = passRole({ StringEquals: { 'iam:PassedToService': ['personalize.amazonaws.com', 'bedrock.amazonaws.com'] } });
    expect(decide(or, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'bedrock.amazonaws.com' })).toBe('Allow');
    expect(decide(or, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('ImplicitDeny');

    const and = passRole({
      StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com', 'aws:RequestedRegion': 'us-east-1' },
      StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/*' },
    });
    const context = { 'iam:PassedToService': 'personalize.amazonaws.com', 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/h' };
    expect(decide(and, 'iam:PassRole', ROLE, context)).toBe('Allow');
    expect(decide(and, 'iam:PassRole', ROLE, { ...context, 'aws:RequestedRegion': 'eu-west-1' })).toBe('ImplicitDeny');
    expect(decide(and, 'iam:PassRole', ROLE, { ...context, 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/u' })).toBe('ImplicitDeny');
  });

  test('condition keys are case-insensitive; string values are not (except ...IgnoreCase)', () => {
    const policies = passRole({ StringEquals: { 'IAM:PassedToService': 'personalize.amazonaws.com' } });
    expect(decide(policies, 'iam:PassRole', ROLE, { 'iam:passedtoservice': 'personalize.amazonaws.com' })).toBe('Allow');
    expect(decide(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'Personalize.amazonaws.com' })).toBe('ImplicitDeny');
    const ignoreCase = passRole({ StringEqualsIgnoreCase: { 'iam:PassedToService': 'PERSONALIZE.amazonaws.com' } });
    expect(decide(ignoreCase, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'personalize.AMAZONAWS.com' })).toBe('Allow');
  });

  test('a missing key: false for matching operators, true for negated ones, IfExists and Null', () => {
    const ctx = {};
    expect(conditionsHold({ StringEquals: { 'iam:PassedToService': 'x' } }, ctx)).toBe(false);
    expect(conditionsHold({ StringLike: { 'iam:PassedToService': '*' } }, ctx)).toBe(false);
    expect(conditionsHold({ StringNotEquals: { 'iam:PassedToService': 'x' } }, ctx)).toBe(true);
    expect(conditionsHold({ StringNotLike: { 'iam:PassedToService': 'x*' } }, ctx)).toBe(true);
    expect(conditionsHold({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::x' } }, ctx)).toBe(true);
    expect(conditionsHold({ StringEqualsIfExists: { 'iam:PassedToService': 'x' } }, ctx)).toBe(true);
    expect(conditionsHold({ StringEqualsIfExists: { 'iam:PassedToService': 'x' } }, { 'iam:PassedToService': 'y' })).toBe(false);
    expect(conditionsHold({ StringEqualsIfExists: { 'iam:PassedToService': 'x' } }, { 'iam:PassedToService': 'x' })).toBe(true);
    expect(conditionsHold({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, ctx)).toBe(true);
    expect(conditionsHold({ Null: { 'aws:RequestTag/team': 'true' } }, ctx)).toBe(true);
    expect(conditionsHold({ Null: { 'aws:RequestTag/team': 'false' } }, ctx)).toBe(false);
    expect(conditionsHold({ Null: { 'aws:RequestTag/team': 'false' } }, { 'aws:RequestTag/team': 'recs' })).toBe(true);
    expect(conditionsHold({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] })).toBe(true);
  });

  test('a PassRole Deny unless passed to one service: a missing key denies too', () => {
    const policies = [doc(allow('iam:PassRole', '*'),
      { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*', Condition: { StringNotEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } } })];
    expect(decide(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'personalize.amazonaws.com' })).toBe('Allow');
    expect(decide(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe('ExplicitDeny');
    expect(decide(policies, 'iam:PassRole', ROLE)).toBe('ExplicitDeny');
  });

  test('ForAnyValue and ForAllValues on multivalued keys (aws:TagKeys)', () => {
    const tagKeys = { 'aws:TagKeys': ['team', 'cost-center'] };
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, tagKeys)).toBe(true);
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['owner'] } }, tagKeys)).toBe(false);
    expect(conditionsHold({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-center', 'owner'] } }, tagKeys)).toBe(true);
    expect(conditionsHold({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, tagKeys)).toBe(false);
    expect(conditionsHold({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['t*', 'cost-*'] } }, tagKeys)).toBe(true);
    // Negated inside a set operator: per request value, "matches none of the policy values".
    expect(conditionsHold({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['team'] } }, tagKeys)).toBe(true);
    expect(conditionsHold({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['team'] } }, tagKeys)).toBe(false);
    // A missing key: ForAllValues holds (no value fails), ForAnyValue does not (unless IfExists).
    expect(conditionsHold({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, {})).toBe(true);
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, {})).toBe(false);
    expect(conditionsHold({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['team'] } }, {})).toBe(true);
    // A single value is a one-element set.
    expect(conditionsHold({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': 'team' })).toBe(true);
  });

  test('a multivalued key without a set operator is an error; a one-element list is a single value', () => {
    expect(() => conditionsHold({ StringEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['team', 'owner'] })).toThrow(/ForAnyValue: or ForAllValues:/);
    expect(conditionsHold({ StringEquals: { 'aws:TagKeys': 'team' } }, { 'aws:TagKeys': ['team'] })).toBe(true);
  });

  test('StringLike, ArnLike/ArnEquals, Bool and Numeric operators', () => {
    const ctx = {
      'aws:SourceArn': 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/evals-1',
      'aws:SecureTransport': 'true',
      's3:max-keys': '10',
      'kms:EncryptionContext:aws:bedrock-agentcore:datasetArn': 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/evals-1',
    };
    expect(conditionsHold({ StringLike: { 'aws:SourceArn': 'arn:aws:bedrock-agentcore:*:123456789012:dataset/*' } }, ctx)).toBe(true);
    expect(conditionsHold({ StringLike: { 'aws:SourceArn': 'arn:aws:bedrock-agentcore:*:123456789012:datase?/evals-?' } }, ctx)).toBe(true);
    expect(conditionsHold({ StringLike: { 'kms:EncryptionContext:aws:bedrock-agentcore:datasetArn': 'arn:aws:bedrock-agentcore:*:*:dataset/*' } }, ctx)).toBe(true);
    expect(conditionsHold({ ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock-agentcore:*:*:dataset/*' } }, ctx)).toBe(true);
    expect(conditionsHold({ ArnEquals: { 'aws:SourceArn': 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/*' } }, ctx)).toBe(true);
    expect(conditionsHold({ ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock-agentcore:*:*:memory/*' } }, ctx)).toBe(false);
    expect(conditionsHold({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:bedrock-agentcore:*:*:memory/*' } }, ctx)).toBe(true);
    expect(conditionsHold({ ArnLike: { 'aws:SecureTransport': '*' } }, ctx)).toBe(false); // not an ARN
    expect(conditionsHold({ Bool: { 'aws:SecureTransport': true } }, ctx)).toBe(true);
    expect(conditionsHold({ Bool: { 'aws:SecureTransport': 'false' } }, ctx)).toBe(false);
    expect(conditionsHold({ NumericLessThanEquals: { 's3:max-keys': 10 } }, ctx)).toBe(true);
    expect(conditionsHold({ NumericLessThan: { 's3:max-keys': '10' } }, ctx)).toBe(false);
    expect(conditionsHold({ NumericGreaterThan: { 's3:max-keys': '9.5' } }, ctx)).toBe(true);
    expect(conditionsHold({ NumericGreaterThanEquals: { 's3:max-keys': '11' } }, ctx)).toBe(false);
    expect(conditionsHold({ NumericEquals: { 's3:max-keys': '10' } }, ctx)).toBe(true);
    expect(conditionsHold({ NumericNotEquals: { 's3:max-keys': '10' } }, ctx)).toBe(false);
    expect(conditionsHold({ NumericEquals: { 's3:max-keys': 'ten' } }, ctx)).toBe(false);
  });

  test('unknown or unsupported operators are errors', () => {
    expect(() => conditionsHold({ StringSortOf: { 'aws:SourceArn': 'x' } }, {})).toThrow(/unknown condition operator StringSortOf/);
    expect(() => conditionsHold({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, {})).toThrow(/not supported/);
    expect(() => conditionsHold({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {})).toThrow(/not supported/);
    expect(() => conditionsHold({ 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } }, {})).toThrow(/not a valid operator/);
    expect(() => conditionsHold({ StringEquals: { 'aws:SourceArn': { Ref: 'X' } as any } }, {})).toThrow(/unresolved intrinsic/);
  });
});
