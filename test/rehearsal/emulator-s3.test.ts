/**
 * The emulator's S3, driven by the real @aws-sdk/client-s3 through AWS_ENDPOINT_URL_S3 (path-style
 * requests to an IP host): objects in and out, copies as the handlers make them, listings, S3's
 * errors, its one object store shared with AgentCore's s3Source, and what IAM must allow.
 */
import { createHash } from 'crypto';
import { Readable } from 'stream';
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as s3 from '@aws-sdk/client-s3';
import { copyObject } from '../../lambda/s3.lazy';
import { Emulator } from '../../rehearsal/emulator';
import { S3Service } from '../../rehearsal/emulator/s3';
import { CREDENTIALS as credentials, errorOf, REGION, useEmulator } from '../support/emulator';

const SEEDED = 's3://seeded/evals/v1.jsonl';
const EXAMPLE = { scenario_id: 'TC-1', turns: [{ input: 'hi' }] };

let emu: Emulator;
let client: s3.S3Client;

// As the handlers find it: through the environment, no endpoint in the client's configuration.
useEmulator({ delays: { step: 5 }, s3: { [SEEDED]: `${JSON.stringify(EXAMPLE)}\n` }, checkModel: true }, (started) => {
  emu = started.emu;
  client = started.closes(new s3.S3Client({ region: REGION, credentials, maxAttempts: 1 }));
}, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', CDK_DATASETS_MAX_ATTEMPTS: '1' });

const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

describe('objects', () => {
  test('put, get, head, delete: keys that need URL-encoding, content type, metadata, ETag', async () => {
    const Key = 'a b/c+d%e é?.txt';
    const put = await client.send(new s3.PutObjectCommand({
      Bucket: 'data', Key, Body: 'hello', ContentType: 'text/plain', Metadata: { owner: 'team' },
    }));
    expect(put.ETag).toBe(md5('hello'));
    expect(emu.calls({ service: 's3' })[0]).toMatchObject({ operation: 'PutObject', name: `data/${Key}`, resource: `arn:aws:s3:::data/${Key}`, httpStatus: 200 });

    const got = await client.send(new s3.GetObjectCommand({ Bucket: 'data', Key }));
    expect(await got.Body!.transformToString()).toBe('hello');
    expect(got).toMatchObject({ ContentType: 'text/plain', ContentLength: 5, ETag: md5('hello'), Metadata: { owner: 'team' } });
    expect(got.LastModified).toBeInstanceOf(Date);

    const head = await client.send(new s3.HeadObjectCommand({ Bucket: 'data', Key }));
    expect(head).toMatchObject({ ContentType: 'text/plain', ContentLength: 5, ETag: md5('hello') });
    expect(emu.object(`s3://data/${Key}`)).toMatchObject({ text: 'hello', size: 5, contentType: 'text/plain', metadata: { owner: 'team' } });

    expect((await client.send(new s3.DeleteObjectCommand({ Bucket: 'data', Key }))).$metadata.httpStatusCode).toBe(204);
    expect(emu.object(`s3://data/${Key}`)).toBeUndefined();
    // Deleting what is not there succeeds, as in S3.
    await client.send(new s3.DeleteObjectCommand({ Bucket: 'data', Key }));
  });

  test('a streamed body (aws-chunked, with its checksum trailer) is stored as sent; GetObject checksums validate', async () => {
    await client.send(new s3.PutObjectCommand({
      Bucket: 'data', Key: 'streamed.csv', Body: Readable.from([Buffer.from('a,b\n'), Buffer.from('1,2\n')]), ContentLength: 8,
    }));
    expect(emu.object('s3://data/streamed.csv')).toMatchObject({ text: 'a,b\n1,2\n', checksumCrc32: expect.any(String) });
    const got = await client.send(new s3.GetObjectCommand({ Bucket: 'data', Key: 'streamed.csv', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toBe(emu.object('s3://data/streamed.csv')!.checksumCrc32);
    expect(await got.Body!.transformToString()).toBe('a,b\n1,2\n'); // the SDK checks the body against it
  });

  test('errors: NoSuchKey and NoSuchBucket (404), a bare 404 for HeadObject', async () => {
    await client.send(new s3.PutObjectCommand({ Bucket: 'data', Key: 'there', Body: 'x' }));
    const missing = await errorOf(client.send(new s3.GetObjectCommand({ Bucket: 'data', Key: 'not/there' })));
    expect(missing).toBeInstanceOf(s3.NoSuchKey);
    expect(missing).toMatchObject({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.', Key: 'not/there' });
    const noBucket = await errorOf(client.send(new s3.GetObjectCommand({ Bucket: 'nobody', Key: 'k' })));
    expect(noBucket).toBeInstanceOf(s3.NoSuchBucket);
    expect(noBucket.BucketName).toBe('nobody');
    expect(await errorOf(client.send(new s3.HeadObjectCommand({ Bucket: 'data', Key: 'not/there' }))))
      .toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(await errorOf(client.send(new s3.DeleteObjectCommand({ Bucket: 'nobody', Key: 'k' })))).toBeInstanceOf(s3.NoSuchBucket);
    expect(await errorOf(client.send(new s3.ListObjectsV2Command({ Bucket: 'nobody' })))).toBeInstanceOf(s3.NoSuchBucket);
  });
});

describe('CopyObject', () => {
  test("as the handlers copy a staged asset: x-amz-copy-source is '<bucket>/<URL-encoded key>'; the copy keeps type and metadata", async () => {
    const source = { bucket: 'cdk-assets', key: 'staging/ab cd+é.csv' };
    emu.putObject(`s3://${source.bucket}/${source.key}`, 'USER_ID,ITEM_ID\n', 'text/csv');
    // The handlers' own copier (lambda/s3.lazy.ts), finding the emulator through the environment.
    await copyObject(source, { bucket: 'library-staging', key: 'imports/interactions.csv' });
    expect(emu.object('s3://library-staging/imports/interactions.csv')).toMatchObject({ text: 'USER_ID,ITEM_ID\n', contentType: 'text/csv' });
    expect(emu.calls({ operation: 'CopyObject' })[0]).toMatchObject({ httpStatus: 200, name: 'library-staging/imports/interactions.csv' });

    const copied = await client.send(new s3.CopyObjectCommand({ Bucket: 'b2', Key: 'copy', CopySource: '/cdk-assets/staging/ab%20cd%2B%C3%A9.csv' }));
    expect(copied.CopyObjectResult).toMatchObject({ ETag: md5('USER_ID,ITEM_ID\n'), LastModified: expect.any(Date) });
    const replaced = await client.send(new s3.CopyObjectCommand({
      Bucket: 'b2', Key: 'copy', CopySource: 'b2/copy', MetadataDirective: 'REPLACE', ContentType: 'application/json', Metadata: { v: '2' },
    }));
    expect(replaced.CopyObjectResult!.ETag).toBe(md5('USER_ID,ITEM_ID\n'));
    expect(emu.object('s3://b2/copy')).toMatchObject({ contentType: 'application/json', metadata: { v: '2' } });
  });

  test('errors: a missing source, a source without a key, a copy onto itself that changes nothing', async () => {
    emu.putObject('s3://b/k', 'x');
    expect(await errorOf(client.send(new s3.CopyObjectCommand({ Bucket: 'b', Key: 'c', CopySource: 'b/missing' })))).toBeInstanceOf(s3.NoSuchKey);
    expect(await errorOf(client.send(new s3.CopyObjectCommand({ Bucket: 'b', Key: 'c', CopySource: 'nobody/k' })))).toBeInstanceOf(s3.NoSuchBucket);
    expect(await errorOf(client.send(new s3.CopyObjectCommand({ Bucket: 'b', Key: 'c', CopySource: 'b' }))))
      .toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    expect(await errorOf(client.send(new s3.CopyObjectCommand({ Bucket: 'b', Key: 'k', CopySource: 'b/k' }))))
      .toMatchObject({ name: 'InvalidRequest', message: expect.stringContaining('copy an object to itself') });
  });
});

describe('ListObjectsV2', () => {
  beforeEach(async () => {
    for (const key of ['a/1', 'a/2', 'a/b/3', 'c', 'd/4']) emu.putObject(`s3://list/${key}`, key);
  });

  test('keys in order with size, ETag and storage class; prefix, start-after, delimiter and common prefixes', async () => {
    const all = await client.send(new s3.ListObjectsV2Command({ Bucket: 'list' }));
    expect(all.Contents!.map((o) => o.Key)).toEqual(['a/1', 'a/2', 'a/b/3', 'c', 'd/4']);
    expect(all.Contents![0]).toMatchObject({ Size: 3, ETag: md5('a/1'), StorageClass: 'STANDARD', LastModified: expect.any(Date) });
    expect(all).toMatchObject({ Name: 'list', KeyCount: 5, IsTruncated: false, MaxKeys: 1000 });

    expect((await client.send(new s3.ListObjectsV2Command({ Bucket: 'list', Prefix: 'a/' }))).Contents!.map((o) => o.Key))
      .toEqual(['a/1', 'a/2', 'a/b/3']);
    expect((await client.send(new s3.ListObjectsV2Command({ Bucket: 'list', StartAfter: 'a/2' }))).Contents!.map((o) => o.Key))
      .toEqual(['a/b/3', 'c', 'd/4']);
    const rolled = await client.send(new s3.ListObjectsV2Command({ Bucket: 'list', Delimiter: '/' }));
    expect(rolled.Contents!.map((o) => o.Key)).toEqual(['c']);
    expect(rolled.CommonPrefixes).toEqual([{ Prefix: 'a/' }, { Prefix: 'd/' }]);
    expect(rolled.KeyCount).toBe(3);
  });

  test('pages with MaxKeys and continuation tokens (the SDK paginator); a bad token is InvalidArgument', async () => {
    const pages: string[][] = [];
    for await (const page of s3.paginateListObjectsV2({ client, pageSize: 2 }, { Bucket: 'list' })) {
      pages.push((page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).toEqual([['a/1', 'a/2'], ['a/b/3', 'c'], ['d/4']]);
    const prefixPages: Array<string[]> = [];
    for await (const page of s3.paginateListObjectsV2({ client, pageSize: 1 }, { Bucket: 'list', Delimiter: '/' })) {
      prefixPages.push([...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((o) => o.Key!)]);
    }
    expect(prefixPages).toEqual([['a/'], ['c'], ['d/']]);
    expect(await errorOf(client.send(new s3.ListObjectsV2Command({ Bucket: 'list', ContinuationToken: 'garbage' }))))
      .toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
  });
});

describe('one object store', () => {
  test("the s3 option seeds it (again on reset); S3 serves it; AgentCore's s3Source reads what S3 put", async () => {
    const seeded = await client.send(new s3.GetObjectCommand({ Bucket: 'seeded', Key: 'evals/v1.jsonl' }));
    expect(JSON.parse(await seeded.Body!.transformToString())).toEqual(EXAMPLE);

    await client.send(new s3.PutObjectCommand({ Bucket: 'evals', Key: 'v2.jsonl', Body: `${JSON.stringify({ ...EXAMPLE, scenario_id: 'TC-2' })}\n` }));
    const agentcore = new ac.BedrockAgentCoreControlClient({ endpoint: emu.url, region: REGION, credentials, maxAttempts: 1 });
    try {
      const { datasetId } = await agentcore.send(new ac.CreateDatasetCommand({
        datasetName: 'from_s3', schemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', source: { s3Source: { s3Uri: 's3://evals/v2.jsonl' } },
      }));
      await emu.waitFor(datasetId!, 'ACTIVE');
      const { examples } = await agentcore.send(new ac.ListDatasetExamplesCommand({ datasetId }));
      expect(examples!.map((e: any) => e.scenario_id)).toEqual(['TC-2']);
    } finally {
      agentcore.destroy();
    }

    expect(emu.objects().map((o) => o.uri)).toEqual(['s3://evals/v2.jsonl', SEEDED]);
    expect(emu.objects({ bucket: 'seeded', prefix: 'evals/' }).map((o) => o.key)).toEqual(['evals/v1.jsonl']);
    emu.reset();
    expect(emu.objects().map((o) => o.uri)).toEqual([SEEDED]);
  });

  test('emu.env points AWS_ENDPOINT_URL_S3 at the emulator (the client above found it there)', () => {
    expect(emu.env.AWS_ENDPOINT_URL_S3).toBe(emu.url);
  });
});

describe('faults and authorization', () => {
  test("faults in S3's terms: throttle is SlowDown (503), error any code; matched by '<bucket>/<key>'", async () => {
    emu.putObject('s3://b/k', 'x');
    emu.faults.add({ kind: 'throttle', service: 's3', resource: 'b/k', times: 1 });
    expect(await errorOf(client.send(new s3.GetObjectCommand({ Bucket: 'b', Key: 'k' }))))
      .toMatchObject({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    emu.faults.add({ kind: 'error', operation: 'PutObject', error: 'AccessDenied', status: 403, message: 'Access Denied', times: 1 });
    expect(await errorOf(client.send(new s3.PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'y' }))))
      .toMatchObject({ name: 'AccessDenied', message: 'Access Denied', $metadata: { httpStatusCode: 403 } });
    expect(emu.object('s3://b/k')!.text).toBe('x');
  });

  test('authorization: each operation names the IAM actions, resources and condition keys it needs', () => {
    const service = new S3Service(undefined as any);
    expect(service.authorization('PutObject', { Bucket: 'b', Key: 'k/1' })).toEqual([{ action: 's3:PutObject', resource: 'arn:aws:s3:::b/k/1' }]);
    expect(service.authorization('GetObject', { Bucket: 'b', Key: 'k' })).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }]);
    expect(service.authorization('HeadObject', { Bucket: 'b', Key: 'k' })).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' }]);
    expect(service.authorization('DeleteObject', { Bucket: 'b', Key: 'k' })).toEqual([{ action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' }]);
    expect(service.authorization('CopyObject', { Bucket: 'dst', Key: 'to/k', CopySource: 'src/from%20here.csv' })).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::src/from here.csv' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::dst/to/k', context: { 's3:x-amz-copy-source': 'src/from here.csv' } },
    ]);
    expect(service.authorization('CopyObject', { Bucket: 'd', Key: 'k', CopySource: 's/k?versionId=3' })[0])
      .toEqual({ action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::s/k' });
    expect(service.authorization('ListObjectsV2', { Bucket: 'b' })).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::b' }]);
    expect(service.authorization('ListObjectsV2', { Bucket: 'b', Prefix: 'p/', Delimiter: '/', MaxKeys: '2' })).toEqual([{
      action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'p/', 's3:delimiter': '/', 's3:max-keys': '2' },
    }]);
  });
});
