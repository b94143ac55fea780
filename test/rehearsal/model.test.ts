/**
 * The model check (rehearsal/emulator/model.ts): responses are read against the AWS SDK clients'
 * own schemas and type declarations, all the way down, for each protocol the emulator speaks.
 */
import { ROUTES } from '../../rehearsal/emulator/agentcore';
import { ServiceModel } from '../../rehearsal/emulator/model';
import { clientTypes } from '../../rehearsal/emulator/model-types';
import { PERSONALIZE_OPERATIONS } from '../../rehearsal/emulator/personalize';
import { S3_OPERATIONS } from '../../rehearsal/emulator/s3';

const personalize = ServiceModel.of('personalize');
const agentcore = ServiceModel.of('agentcore');
const s3 = ServiceModel.of('s3');
const ok = (body: unknown, status = 200) => ({ status, headers: {}, body });

describe('awsJson1_1 (Personalize)', () => {
  test('a response as the model says passes', () => {
    expect(personalize.checkOutput('DescribeDatasetGroup', ok({
      datasetGroup: { name: 'g', datasetGroupArn: 'arn', status: 'ACTIVE', creationDateTime: 1.5, domain: 'ECOMMERCE' },
    }))).toEqual([]);
  });

  test('an unknown or misspelt member, a wrong type, an enum value the enum lacks, nested all the way down', () => {
    expect(personalize.checkOutput('DescribeDataset', ok({
      dataset: {
        name: 'd',
        staus: 'ACTIVE',
        creationDateTime: '2024-01-01',
        latestDatasetUpdate: { status: 1, extra: true },
      },
    }))).toEqual([
      "DescribeDataset response.dataset: Dataset has no member 'staus' (it has: name, datasetArn, datasetGroupArn, datasetType, schemaArn, "
        + 'status, creationDateTime, lastUpdatedDateTime, latestDatasetUpdate, trackingId)',
      'DescribeDataset response.dataset.creationDateTime: expected epoch seconds (a number), got a string',
      "DescribeDataset response.dataset.latestDatasetUpdate: DatasetUpdateSummary has no member 'extra' (it has: schemaArn, status, "
        + 'failureReason, creationDateTime, lastUpdatedDateTime)',
      'DescribeDataset response.dataset.latestDatasetUpdate.status: expected a string, got a number',
    ]);
    expect(personalize.checkOutput('DescribeDatasetGroup', ok({ datasetGroup: { domain: 'RETAIL' } })))
      .toEqual(["DescribeDatasetGroup response.datasetGroup.domain: 'RETAIL' is not a Domain (ECOMMERCE, VIDEO_ON_DEMAND)"]);
    expect(personalize.checkOutput('ListTagsForResource', ok({ tags: [{ tagKey: 'a' }, null] }))).toEqual([
      "ListTagsForResource response.tags[0]: required member 'tagValue' of Tag is missing",
      'ListTagsForResource response.tags[1]: null (the service leaves a member out rather than sending null)',
    ]);
  });

  test('errors: declared ones with their members; common ones with a message only; others are violations', () => {
    const error = (body: object) => ({ status: 400, headers: {}, body: { __type: 'x', ...body } });
    expect(personalize.checkError('DescribeDatasetGroup', 'ResourceNotFoundException', error({ message: 'gone' }))).toEqual([]);
    expect(personalize.checkError('DescribeDatasetGroup', 'ThrottlingException', error({ message: 'slow down' }))).toEqual([]);
    expect(personalize.checkError('DescribeDatasetGroup', 'ResourceNotFoundException', error({ message: 'gone', reason: 'x' })))
      .toEqual(["DescribeDatasetGroup error ResourceNotFoundException: ResourceNotFoundException has no member 'reason' (it has: message)"]);
    expect(personalize.checkError('ListDatasetGroups', 'InvalidInputException', error({ message: 'bad' }))).toEqual([
      'ListDatasetGroups error InvalidInputException: ListDatasetGroups does not declare InvalidInputException (it declares InvalidNextTokenException)',
    ]);
    expect(personalize.checkError('ListSchemas', 'ServiceUnavailableException', { status: 503, headers: {}, body: { message: 'x' } }))
      .toEqual(['ListSchemas error ServiceUnavailableException: the personalize model has no such error, and it is not a common error']);
  });
});

describe('restJson1 (AgentCore)', () => {
  test('required members, enums, maps, the success status', () => {
    const got = { datasetArn: 'a', datasetId: 'i', datasetVersion: 'DRAFT', datasetName: 'n', schemaType: 'THIRD_PARTY_EVALUATION_V1' };
    expect(agentcore.checkOutput('GetDataset', ok({ ...got, status: 'READY', exampleCount: 1, createdAt: 1, tags: { team: 2 } }))).toEqual([
      "GetDataset response.status: 'READY' is not a DatasetStatus (ACTIVE, CREATE_FAILED, CREATING, DELETE_FAILED, DELETING, UPDATE_FAILED, UPDATING)",
      "GetDataset response: required member 'updatedAt' of GetDatasetResponse is missing",
      'GetDataset response.tags.team: expected a string, got a number',
    ]);
    expect(agentcore.checkOutput('TagResource', ok({}))).toEqual(['TagResource response: HTTP status 200, but the model says 204']);
    expect(agentcore.checkOutput('ListDatasetExamples', ok({
      datasetArn: 'a', datasetId: 'i', datasetVersion: 'DRAFT', examples: [{ any: ['json', 1, null] }, 'text'],
    }))).toEqual([]); // examples are documents
  });

  test('errors: the status is the httpError trait, enum members are checked', () => {
    expect(agentcore.checkError('GetDataset', 'ConflictException', { status: 400, headers: {}, body: { message: 'x' } }))
      .toEqual(['GetDataset error ConflictException: HTTP status 400, but the model says 409']);
    expect(agentcore.checkError('GetDataset', 'ValidationException', { status: 400, headers: {}, body: { message: 'x', reason: 'Bad' } }))
      .toEqual(["GetDataset error ValidationException.reason: 'Bad' is not a ValidationExceptionReason (CannotParse, FieldValidationFailed, "
        + 'IdempotentParameterMismatchException, ResourceConflict, EventInOtherSession)']);
    expect(agentcore.checkError('GetDataset', 'ValidationException', { status: 400, headers: {}, body: { message: 'x' } }))
      .toEqual(["GetDataset error ValidationException: required member 'reason' of ValidationException is missing"]);
    expect(agentcore.checkError('ListDatasets', 'ServiceUnavailable', { status: 503, headers: {}, body: { message: 'x' } })).toEqual([]);
  });

  test("the emulator's routes are the model's http bindings", () => {
    for (const route of ROUTES) {
      expect([route.operation, agentcore.http(route.operation)])
        .toEqual([route.operation, [route.method, `/${route.path.join('/')}`, route.status]]);
    }
  });
});

describe('restXml (S3): the output object the emulator serializes', () => {
  test('member names, types (Date, bytes), enums, lists of structures', () => {
    expect(s3.checkOutput('ListObjectsV2', ok({
      IsTruncated: false,
      Contents: [{ Key: 'k', LastModified: new Date(), ETag: '"e"', Size: 1, StorageClass: 'STANDARD', ChecksumAlgorithm: ['CRC32'] }],
      Name: 'b',
      KeyCount: 1,
    }))).toEqual([]);
    expect(s3.checkOutput('ListObjectsV2', ok({
      IsTruncated: 'false', Contents: [{ Key: 'k', LastModified: 5, StorageClass: 'COLD', ChecksumAlgorithm: ['ADLER'] }], Bucket: 'b',
    }))).toEqual([
      "ListObjectsV2 response: ListObjectsV2Output has no member 'Bucket' (it has: IsTruncated, Contents, Name, Prefix, Delimiter, MaxKeys, "
        + 'CommonPrefixes, EncodingType, KeyCount, ContinuationToken, NextContinuationToken, StartAfter, RequestCharged)',
      'ListObjectsV2 response.IsTruncated: expected a boolean, got a string',
      'ListObjectsV2 response.Contents[0].LastModified: expected a Date, got a number',
      expect.stringMatching(/^ListObjectsV2 response.Contents\[0\].ChecksumAlgorithm\[0\]: 'ADLER' is not a ChecksumAlgorithm \(CRC32, /),
      expect.stringMatching(/^ListObjectsV2 response.Contents\[0\].StorageClass: 'COLD' is not a ObjectStorageClass \(/),
    ]);
    expect(s3.checkOutput('DeleteObject', ok({}, 200))).toEqual(['DeleteObject response: HTTP status 200, but the model says 204']);
  });

  test('errors: modeled ones with their status, documented codes, and nothing else', () => {
    expect(s3.checkError('GetObject', 'NoSuchKey', { status: 404, headers: {}, body: {} })).toEqual([]);
    expect(s3.checkError('GetObject', 'NoSuchBucket', { status: 404, headers: {}, body: {} })).toEqual([]);
    expect(s3.checkError('GetObject', 'AccessDenied', { status: 403, headers: {}, body: {} })).toEqual([]);
    expect(s3.checkError('GetObject', 'NoSuchKey', { status: 400, headers: {}, body: {} }))
      .toEqual(['GetObject error NoSuchKey: HTTP status 400, but the model says 404']);
    expect(s3.checkError('GetObject', 'KeyNotFound', { status: 404, headers: {}, body: {} }))
      .toEqual(['GetObject error KeyNotFound: S3 neither models nor documents this error code']);
  });
});

describe('the client declarations', () => {
  test('every operation the emulator serves is in its model, with its declared errors', () => {
    for (const operation of PERSONALIZE_OPERATIONS) expect([operation, personalize.hasOperation(operation)]).toEqual([operation, true]);
    for (const operation of S3_OPERATIONS) expect([operation, s3.hasOperation(operation)]).toEqual([operation, true]);
    expect(personalize.declaredErrors('DescribeDatasetGroup')).toEqual(['InvalidInputException', 'ResourceNotFoundException']);
    expect(s3.declaredErrors('GetObject')).toEqual(['InvalidObjectState', 'NoSuchKey']);
  });

  test('enum uses: plain members, lists and union members; `_Object` declares the shape Object', () => {
    const types = clientTypes('@aws-sdk/client-s3');
    expect(types.enums.Object.ChecksumAlgorithm).toMatchObject({ name: 'ChecksumAlgorithm', values: expect.arrayContaining(['CRC32']) });
    expect(types.shapes).toContain('Object');
    expect(clientTypes('@aws-sdk/client-bedrock-agentcore-control').enums.GetDatasetResponse.draftStatus)
      .toEqual({ name: 'DraftStatus', values: ['MODIFIED', 'UNMODIFIED'] });
  });
});
