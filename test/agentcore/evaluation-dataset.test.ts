import * as path from 'path';
import { App, Duration, Lazy, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType } from '../../src';
import { providerOf, snapshotTemplate, synthFindings } from '../support/stack';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'agentcore');
const TYPE = 'Custom::AgentCoreEvaluationDataset';
const ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/checkout_eval-a1b2c3d4e5';
const PREDEFINED = EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1;
const EXAMPLES = [{ scenario_id: 's1', turns: [{ input: 'hi' }] }];

function newStack(context: Record<string, unknown> = {}): Stack {
  return new Stack(new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true, ...context } }), 'Evals', { env: { account: '123456789012', region: 'us-east-1' } });
}

function inlineDataset(stack: Stack, id = 'CheckoutEval', extra: Partial<ConstructorParameters<typeof EvaluationDataset>[2]> = {}) {
  return new EvaluationDataset(stack, id, { schemaType: PREDEFINED, source: EvaluationDatasetSource.fromInline(EXAMPLES), ...extra });
}

/** The library's own resources for a snapshot (snapshotTemplate leaves the Provider framework out). */
const snapshotOf = snapshotTemplate;

function handlerStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.entries(policies).filter(([id]) => id.includes('HandlerRole')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('sources', () => {
  test('inline examples (snapshot)', () => {
    const stack = newStack();
    inlineDataset(stack, 'CheckoutEval', { evaluationDatasetName: 'checkout_eval', description: 'Checkout agent regression set' });
    expect(snapshotOf(stack)).toMatchSnapshot();
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      DatasetName: 'checkout_eval',
      SchemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1',
      InlineExamples: JSON.stringify(EXAMPLES),
      S3Uri: Match.absent(),
      KmsKeyArn: Match.absent(),
      WaitTimeoutSeconds: 1800,
    });
  });

  test('a JSONL file in a bucket (snapshot): the handler may read that object and nothing else of the bucket', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Evals', { encryptionKey: new kms.Key(stack, 'BucketKey'), encryption: s3.BucketEncryption.KMS });
    new EvaluationDataset(stack, 'CheckoutEval', {
      schemaType: PREDEFINED, source: EvaluationDatasetSource.fromBucket(bucket, 'evals/checkout.jsonl'),
    });
    expect(snapshotOf(stack)).toMatchSnapshot();
    const template = Template.fromStack(stack);
    template.hasResourceProperties(TYPE, {
      S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^Evals') }, '/evals/checkout.jsonl']] },
      InlineExamples: Match.absent(),
    });
    const s3Statements = handlerStatements(stack).filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3Statements).toEqual([{
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Evals/), 'Arn'] }, '/evals/checkout.jsonl']] },
    }]);
    // The bucket's key, to read the object; decrypting only.
    expect(handlerStatements(stack)).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BucketKey/), 'Arn'] },
    }));
  });

  test('a local JSONL file staged as an asset, with a key (snapshot): the usage of the design README', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const evals = new EvaluationDataset(stack, 'CheckoutEval', {
      schemaType: PREDEFINED,
      source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, 'predefined-valid.jsonl')),
      description: 'Checkout agent regression set',
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    expect(snapshotOf(stack)).toMatchSnapshot();
    const template = Template.fromStack(stack);
    template.hasResourceProperties(TYPE, {
      S3Uri: Match.stringLikeRegexp('^s3://cdk-hnb659fds-assets-123456789012-us-east-1/[0-9a-f]{64}\\.jsonl$'),
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResource(TYPE, { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Key')]) });
    expect(evals.encryptionKey).toBe(key);
  });

  test('the same asset file used twice is staged once', () => {
    const stack = newStack();
    const file = path.join(FIXTURES, 'predefined-valid.jsonl');
    new EvaluationDataset(stack, 'A', { schemaType: PREDEFINED, source: EvaluationDatasetSource.fromAsset(file) });
    new EvaluationDataset(stack, 'B', { schemaType: PREDEFINED, source: EvaluationDatasetSource.fromAsset(file) });
    const uris = Object.values(Template.fromStack(stack).findResources(TYPE)).map((r) => JSON.stringify(r.Properties.S3Uri));
    expect(uris[0]).toBe(uris[1]);
  });
});

describe('resource', () => {
  test('one provider per stack: a second dataset adds a custom resource, not another set of functions', () => {
    const one = newStack();
    inlineDataset(one);
    const two = newStack();
    inlineDataset(two, 'A');
    inlineDataset(two, 'B');
    const count = (stack: Stack, type: string) => Object.keys(Template.fromStack(stack).findResources(type)).length;
    // Every function of the stack, the Provider framework's included: the second dataset adds none.
    expect(count(two, 'AWS::Lambda::Function')).toBe(count(one, 'AWS::Lambda::Function'));
    expect(count(two, TYPE)).toBe(2);
    expect(providerOf(two)).toBeDefined();
  });

  test('a generated name is left to the handler; the attributes come from the custom resource', () => {
    const stack = newStack();
    const evals = inlineDataset(stack);
    Template.fromStack(stack).hasResourceProperties(TYPE, { DatasetName: Match.absent() });
    const resolve = (value: string) => stack.resolve(value);
    const logicalId = Object.keys(Template.fromStack(stack).findResources(TYPE))[0];
    expect(resolve(evals.evaluationDatasetArn)).toEqual({ Ref: logicalId });
    expect(resolve(evals.evaluationDatasetId)).toEqual({ 'Fn::GetAtt': [logicalId, 'EvaluationDatasetId'] });
    expect(resolve(evals.evaluationDatasetName)).toEqual({ 'Fn::GetAtt': [logicalId, 'EvaluationDatasetName'] });
    expect(resolve(evals.evaluationDatasetVersion)).toEqual({ 'Fn::GetAtt': [logicalId, 'DatasetVersion'] });
    expect(evals.schemaType).toBe(PREDEFINED);
  });

  test('a fixed name (evaluationDatasetName) is the name attribute and the DatasetName property', () => {
    const stack = newStack();
    const evals = inlineDataset(stack, 'CheckoutEval', { evaluationDatasetName: 'checkout_eval' });
    expect(evals.evaluationDatasetName).toBe('checkout_eval');
    Template.fromStack(stack).hasResourceProperties(TYPE, { DatasetName: 'checkout_eval' });
  });

  test('datasetName, the deprecated alias, still names the dataset; both at once is an error', () => {
    const stack = newStack();
    expect(inlineDataset(stack, 'Old', { datasetName: 'old_name' }).evaluationDatasetName).toBe('old_name');
    Template.fromStack(stack).hasResourceProperties(TYPE, { DatasetName: 'old_name' });
    expect(() => inlineDataset(newStack(), 'Both', { evaluationDatasetName: 'a', datasetName: 'b' }))
      .toThrow('[Evals/Both] evaluationDatasetName and datasetName (its deprecated alias) are both given; give evaluationDatasetName only');
    expect(() => inlineDataset(newStack(), 'Bad', { evaluationDatasetName: '1bad' })).toThrow(/evaluationDatasetName "1bad" must match/);
  });

  test('datasets are retained unless the user says otherwise', () => {
    const stack = newStack();
    const kept = inlineDataset(stack, 'Kept');
    inlineDataset(stack, 'Gone', { removalPolicy: RemovalPolicy.DESTROY, waitTimeout: Duration.minutes(10) });
    const template = Template.fromStack(stack);
    expect(kept.removalPolicy).toBe(RemovalPolicy.RETAIN);
    template.hasResource(TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource(TYPE, { DeletionPolicy: 'Delete', Properties: Match.objectLike({ WaitTimeoutSeconds: 600 }) });
  });

  test('tags from Tags.of go to the custom resource', () => {
    const stack = newStack();
    const evals = inlineDataset(stack);
    Tags.of(evals).add('team', 'agents');
    Tags.of(stack).add('cost-center', '42');
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'agents' }],
    });
  });

  test('schema types: the three known ones and any future one', () => {
    expect(EvaluationSchemaType.AGENTCORE_EVALUATION_SIMULATED_V1.value).toBe('AGENTCORE_EVALUATION_SIMULATED_V1');
    expect(EvaluationSchemaType.THIRD_PARTY_EVALUATION_V1.value).toBe('THIRD_PARTY_EVALUATION_V1');
    const stack = newStack();
    new EvaluationDataset(stack, 'Future', {
      schemaType: EvaluationSchemaType.of('AGENTCORE_EVALUATION_PREDEFINED_V2'),
      source: EvaluationDatasetSource.fromInline([{ prompt: 'no checks for unknown schema types' }]),
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, { SchemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V2' });
  });
});

describe('IAM', () => {
  test('the handler role: dataset actions on this account and region\'s datasets; CreateDataset, ListDatasets, TagResource and UntagResource on *; nothing else', () => {
    const stack = newStack();
    inlineDataset(stack, 'A');
    inlineDataset(stack, 'B');
    const statements = handlerStatements(stack).filter((s) => JSON.stringify(s.Action).includes('bedrock-agentcore'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'bedrock-agentcore:GetDataset', 'bedrock-agentcore:UpdateDataset', 'bedrock-agentcore:DeleteDataset',
          'bedrock-agentcore:ListDatasetExamples', 'bedrock-agentcore:AddDatasetExamples', 'bedrock-agentcore:UpdateDatasetExamples',
          'bedrock-agentcore:DeleteDatasetExamples', 'bedrock-agentcore:CreateDatasetVersion', 'bedrock-agentcore:ListDatasetVersions',
        ],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock-agentcore:us-east-1:123456789012:dataset/*']] },
      },
      // The Service Authorization Reference lists no dataset resource type for TagResource and
      // UntagResource; tags are read from GetDataset, so there is no ListTagsForResource.
      {
        Effect: 'Allow',
        Action: ['bedrock-agentcore:CreateDataset', 'bedrock-agentcore:ListDatasets', 'bedrock-agentcore:TagResource', 'bedrock-agentcore:UntagResource'],
        Resource: '*',
      },
    ]);
    expect(JSON.stringify(statements)).not.toContain('bedrock-agentcore:ListTagsForResource');
  });

  test('a key: the handler may use it as the caller of CreateDataset, and the key policy admits AgentCore', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    inlineDataset(stack, 'CheckoutEval', { encryptionKey: key });
    expect(handlerStatements(stack)).toContainEqual(expect.objectContaining({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    }));
    // The developer guide's "Required key policy" (AllowAgentCoreDatasetAccess), without conditions it does not document.
    const keyPolicy = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
    expect(keyPolicy.Statement.filter((statement: any) => JSON.stringify(statement.Principal).includes('bedrock-agentcore'))).toEqual([{
      Sid: 'AllowAgentCoreDatasetAccess',
      Effect: 'Allow',
      Principal: { Service: 'bedrock-agentcore.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
    }]);
  });

  test('an imported key is granted to the handler; its policy is the owner\'s to change, and a warning says what to add', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    inlineDataset(stack, 'CheckoutEval', { encryptionKey: key });
    expect(handlerStatements(stack)).toContainEqual(expect.objectContaining({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'], Resource: key.keyArn,
    }));
    Template.fromStack(stack).hasResourceProperties(TYPE, { KmsKeyArn: key.keyArn });
    Annotations.fromStack(stack).hasWarning('/Evals/CheckoutEval', Match.stringLikeRegexp(
      'The KMS key arn:aws:kms:us-east-1:123456789012:key/.* is not defined in this app.*bedrock-agentcore\\.amazonaws\\.com.*' +
      '"Dataset encryption".*\\[ack: cdk-datasets:agentcore-dataset-key-policy\\]'));
  });

  test('grantRead: get, list examples and versions on the dataset, and decrypt with its key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const evals = inlineDataset(stack, 'CheckoutEval', { encryptionKey: key });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    evals.grantRead(reader);
    const template = Template.fromStack(stack);
    const [logicalId] = Object.keys(template.findResources(TYPE));
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['bedrock-agentcore:GetDataset', 'bedrock-agentcore:ListDatasetExamples', 'bedrock-agentcore:ListDatasetVersions'],
            Resource: { Ref: logicalId },
          },
          { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
        ],
      },
    });
  });

  test('no cdk-nag finding from the library, and CloudFormation schema validation passes', () => {
    // Environment-agnostic, like the example app: the provider acknowledges its dataset/* finding in that form.
    const stack = new Stack(new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } }), 'Evals');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    inlineDataset(stack, 'Inline', { encryptionKey: key });
    new EvaluationDataset(stack, 'Bucket', {
      schemaType: PREDEFINED, source: EvaluationDatasetSource.fromBucket(s3.Bucket.fromBucketName(stack, 'Evals', 'evals-bucket'), 'a.jsonl'),
    });
    new EvaluationDataset(stack, 'Asset', {
      schemaType: PREDEFINED, source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, 'predefined-valid.jsonl')),
    });
    expect(synthFindings(stack.node.scope as App)).toBe('');
  });
});

describe('imports', () => {
  test('fromEvaluationDatasetArn: the id comes from the ARN; grants work', () => {
    const stack = newStack();
    const evals = EvaluationDataset.fromEvaluationDatasetArn(stack, 'Imported', ARN);
    expect(evals.evaluationDatasetArn).toBe(ARN);
    expect(evals.evaluationDatasetId).toBe('checkout_eval-a1b2c3d4e5');
    expect(evals.env.region).toBe('us-east-1');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    evals.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: ARN })] },
    });
  });

  test('the name of a dataset imported by ARN is not known: reading it says how to give it', () => {
    const evals = EvaluationDataset.fromEvaluationDatasetArn(newStack(), 'Imported', ARN);
    expect(() => evals.evaluationDatasetName).toThrow(/evaluationDatasetName is not known .*fromEvaluationDatasetAttributes/);
  });

  test('fromEvaluationDatasetAttributes: name and key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const evals = EvaluationDataset.fromEvaluationDatasetAttributes(stack, 'Imported', {
      evaluationDatasetArn: ARN, evaluationDatasetName: 'checkout_eval', encryptionKey: key,
    });
    expect(evals.evaluationDatasetName).toBe('checkout_eval');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    evals.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:DescribeKey'] })]) },
    });
  });

  test('a literal ARN that is not a dataset ARN is an error; a token is not checked', () => {
    const stack = newStack();
    expect(() => EvaluationDataset.fromEvaluationDatasetArn(stack, 'Bad', 'arn:aws:bedrock-agentcore:us-east-1:123456789012:evaluator/x'))
      .toThrow(/evaluationDatasetArn "arn:aws:bedrock-agentcore:us-east-1:123456789012:evaluator\/x" is not an AgentCore dataset ARN/);
    const token = Lazy.string({ produce: () => ARN });
    expect(EvaluationDataset.fromEvaluationDatasetArn(stack, 'Token', token).evaluationDatasetArn).toBe(token);
  });
});

describe('validation', () => {
  const fails = (build: (stack: Stack) => void, message: RegExp) => expect(() => {
    const stack = newStack();
    build(stack);
    Template.fromStack(stack);
  }).toThrow(message);

  test.each([
    ['1checkout', /evaluationDatasetName "1checkout" must match \^\[a-zA-Z\]\[a-zA-Z0-9_\]\{0,47\}\$ \(a letter, then letters, digits and underscores\)/],
    ['checkout-eval', /evaluationDatasetName "checkout-eval" must match/],
    ['c'.repeat(49), /evaluationDatasetName "c{49}" is 49 characters long; it must be 1 to 48 characters/],
  ])('evaluationDatasetName %s', (evaluationDatasetName, message) => {
    fails((stack) => inlineDataset(stack, 'CheckoutEval', { evaluationDatasetName }), message);
  });

  test('description of more than 200 characters', () => {
    fails((stack) => inlineDataset(stack, 'CheckoutEval', { description: 'd'.repeat(201) }),
      /\[Evals\/CheckoutEval\] description "d+\.\.\." is 201 characters long; it must be 0 to 200 characters/);
  });

  test('tokens are not checked', () => {
    const stack = newStack();
    const token = Lazy.string({ produce: () => '1-not-a-valid-name' });
    inlineDataset(stack, 'CheckoutEval', { evaluationDatasetName: token, description: Lazy.string({ produce: () => 'd'.repeat(300) }) });
    new EvaluationDataset(stack, 'Tokens', {
      schemaType: PREDEFINED, source: EvaluationDatasetSource.fromInline([{ scenario_id: token, turns: [{ input: token }] }]),
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('inline examples are checked against the schema type, by index and field', () => {
    fails((stack) => new EvaluationDataset(stack, 'CheckoutEval', {
      schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_SIMULATED_V1,
      source: EvaluationDatasetSource.fromInline([{ scenario_id: 's1', input: 'hi', actor_profile: { context: 'c', goal: 'g' } }, { scenario_id: 's2', input: 'hi' }]),
    }), /\[Evals\/CheckoutEval\] source examples\[1\]: actor_profile is missing; AGENTCORE_EVALUATION_SIMULATED_V1 requires actor_profile/);
  });

  test('large inline sets: past 32 KiB the error says to use fromAsset', () => {
    const examples = Array.from({ length: 500 }, (_, i) => ({ scenario_id: `s${i}`, turns: [{ input: 'x'.repeat(64) }] }));
    fails((stack) => inlineDataset(stack, 'CheckoutEval', { source: EvaluationDatasetSource.fromInline(examples) }),
      /source: the inline examples are \d+ bytes of JSON; at most 32768 .*fromAsset/);
  });

  test('no inline examples', () => {
    fails((stack) => inlineDataset(stack, 'CheckoutEval', { source: EvaluationDatasetSource.fromInline([]) }), /fromInline was given no examples/);
  });

  test.each([
    ['predefined-invalid.jsonl', EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1, /source predefined-invalid\.jsonl line 2: scenario_id is missing/],
    ['simulated-invalid.jsonl', EvaluationSchemaType.AGENTCORE_EVALUATION_SIMULATED_V1, /source simulated-invalid\.jsonl line 2: actor_profile\.goal is missing/],
    ['third-party-invalid.jsonl', EvaluationSchemaType.THIRD_PARTY_EVALUATION_V1, /source third-party-invalid\.jsonl line 3: input is \["not a message object"\]/],
    ['predefined-valid.jsonl', EvaluationSchemaType.THIRD_PARTY_EVALUATION_V1, /source predefined-valid\.jsonl line 1: input is missing; THIRD_PARTY_EVALUATION_V1 requires/],
  ])('a local JSONL file is checked: %s against %s', (file, schemaType, message) => {
    fails((stack) => new EvaluationDataset(stack, 'CheckoutEval', { schemaType, source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, file)) }), message);
  });

  test.each([
    ['simulated-valid.jsonl', EvaluationSchemaType.AGENTCORE_EVALUATION_SIMULATED_V1],
    ['third-party-valid.jsonl', EvaluationSchemaType.THIRD_PARTY_EVALUATION_V1],
  ])('a valid local JSONL file passes: %s', (file, schemaType) => {
    const stack = newStack();
    new EvaluationDataset(stack, 'CheckoutEval', { schemaType, source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, file)) });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fromAsset: a missing file, or a directory', () => {
    fails((stack) => inlineDataset(stack, 'A', { source: EvaluationDatasetSource.fromAsset(path.join(FIXTURES, 'nope.jsonl')) }),
      /\[Evals\/A\] source: the JSONL file .*nope\.jsonl does not exist/);
    fails((stack) => inlineDataset(stack, 'A', { source: EvaluationDatasetSource.fromAsset(FIXTURES) }),
      /source: .*agentcore is a directory; fromAsset takes one JSONL file/);
  });

  test('fromBucket: a key of 1 to 1024 characters', () => {
    fails((stack) => inlineDataset(stack, 'A', { source: EvaluationDatasetSource.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'evals-bucket'), '') }),
      /source key "" is 0 characters long; it must be 1 to 1024 characters/);
  });

  test('a key in another region', () => {
    fails((stack) => inlineDataset(stack, 'A', {
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    }), /encryptionKey is in eu-west-1; AgentCore needs a key in the same region as the stack \(us-east-1\)/);
  });

  test('an asymmetric key, or one not for encryption', () => {
    fails((stack) => inlineDataset(stack, 'A', { encryptionKey: new kms.Key(stack, 'Key', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY }) }),
      /encryptionKey has key spec RSA_2048 and usage SIGN_VERIFY; AgentCore only supports symmetric encryption keys/);
    fails((stack) => inlineDataset(stack, 'A', { encryptionKey: new kms.Key(stack, 'Key', { keySpec: kms.KeySpec.HMAC_256, keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC }) }),
      /encryptionKey has key spec HMAC_256/);
  });

  test('an alias, or an ARN that is not a key ARN', () => {
    fails((stack) => inlineDataset(stack, 'A', { encryptionKey: new kms.Alias(stack, 'Alias', { aliasName: 'alias/evals', targetKey: new kms.Key(stack, 'Key') }) }),
      /encryptionKey is an alias \(.*\); AgentCore takes a key ARN, so pass the key itself \(for an alias of this app, alias\.aliasTargetKey; for an existing key, kms\.Key\.fromKeyArn\)/);
    fails((stack) => inlineDataset(stack, 'A', { encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/mrk-1') }),
      /encryptionKey ARN "arn:aws:kms:us-east-1:123456789012:key\/mrk-1" must be a key ARN, matching/);
  });

  test('tags: at most 49 (one is the ownership tag), with AgentCore\'s key and value patterns', () => {
    fails((stack) => {
      const evals = inlineDataset(stack);
      for (let i = 0; i < 50; i++) Tags.of(evals).add(`k${i}`, 'v');
    }, /tags: 50 tags are applied; at most 49 are allowed/);
    fails((stack) => Tags.of(inlineDataset(stack)).add('team#1', 'v'), /tag key "team#1" must match/);
    fails((stack) => Tags.of(inlineDataset(stack)).add('team', 'a&b'), /tag value of "team" "a&b" must match/);
  });

  test('tags: a dataset read from S3 takes 49 like any other (the handler keeps no source tag), and the library\'s prefix is its own', () => {
    const fromBucket = (stack: Stack, count: number) => {
      const evals = inlineDataset(stack, 'A', { source: EvaluationDatasetSource.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'evals-bucket'), 'a.jsonl') });
      for (let i = 0; i < count; i++) Tags.of(evals).add(`k${i}`, 'v');
    };
    const stack = newStack();
    fromBucket(stack, 49);
    expect(() => Template.fromStack(stack)).not.toThrow();
    fails((s) => fromBucket(s, 50), /tags: 50 tags are applied; at most 49 are allowed/);
    fails((s) => Tags.of(inlineDataset(s)).add('cdk-datasets:examples-source', 'x'),
      /tag key "cdk-datasets:examples-source" uses the prefix "cdk-datasets:", which the library keeps for its own tags/);
  });
});
