/**
 * Amazon S3 (API 2006-03-01), objects only: PutObject, GetObject, HeadObject, CopyObject,
 * DeleteObject and ListObjectsV2 on the emulator's object store. Requests are path-style
 * (`/<bucket>/<key>`), as the SDK sends them to an endpoint whose host is an IP address; responses
 * are restXml (s3-xml.ts, from the SDK's schemas), errors S3's `<Error>` documents.
 *
 * Buckets exist once an object is seeded or put in them. A missing key is NoSuchKey (404); a bucket
 * that holds nothing and never did is NoSuchBucket (404); HeadObject answers a bare 404. Deleting a
 * missing key succeeds, as in S3. CopyObject reads `x-amz-copy-source` (`<bucket>/<url-encoded key>`,
 * optionally with a leading slash and `?versionId=`), and keeps the source's content type and
 * metadata unless `x-amz-metadata-directive: REPLACE`.
 */
import { ObjectInfo, ObjectStore } from './objects';
import { ApiError, CallContext, decodeToken, encodeToken, IamRequest } from './state';

type Input = Record<string, any>;
type Headers = Readonly<Record<string, string | string[] | undefined>>;

export const S3_OPERATIONS = ['PutObject', 'GetObject', 'HeadObject', 'CopyObject', 'DeleteObject', 'ListObjectsV2'] as const;

const MAX_KEYS = 1000;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function noSuchKey(key: string): ApiError {
  return new ApiError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

function noSuchBucket(bucket: string): ApiError {
  return new ApiError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
}

function invalidArgument(message: string, name?: string, value?: string): ApiError {
  return new ApiError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value });
}

/** The ARN IAM authorizes an object (or, without a key, a bucket) operation against. */
export function s3Arn(bucket: string, key?: string): string {
  return key === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
}

export class S3Service {
  constructor(private readonly store: ObjectStore) {}

  has(operation: string): boolean {
    return (S3_OPERATIONS as readonly string[]).includes(operation);
  }

  /**
   * Maps a path-style request to an operation and its input (model member names), or undefined when
   * it is not one of the emulated operations.
   */
  route(method: string, rawPath: string, query: URLSearchParams, headers: Headers, body: Buffer): { operation: string; input: Input } | undefined {
    const [bucketPart, ...keyParts] = rawPath.split('/').slice(1);
    if (!bucketPart) return undefined;
    const bucket = decodeURIComponent(bucketPart);
    const rawKey = keyParts.join('/');
    if (rawKey === '') {
      if (method === 'GET' && query.get('list-type') === '2') {
        const maxKeys = query.get('max-keys');
        return {
          operation: 'ListObjectsV2',
          input: {
            Bucket: bucket,
            Prefix: query.get('prefix') ?? undefined,
            Delimiter: query.get('delimiter') ?? undefined,
            MaxKeys: maxKeys === null ? undefined : maxKeys,
            ContinuationToken: query.get('continuation-token') ?? undefined,
            StartAfter: query.get('start-after') ?? undefined,
          },
        };
      }
      return undefined;
    }
    const key = decodeURIComponent(rawKey);
    switch (method) {
      case 'PUT': {
        const copySource = header(headers, 'x-amz-copy-source');
        if (copySource !== undefined) {
          return {
            operation: 'CopyObject',
            input: {
              Bucket: bucket,
              Key: key,
              CopySource: copySource,
              MetadataDirective: header(headers, 'x-amz-metadata-directive'),
              ContentType: header(headers, 'content-type'),
              Metadata: metadataOf(headers),
            },
          };
        }
        return {
          operation: 'PutObject',
          input: {
            Bucket: bucket,
            Key: key,
            Body: decodeAwsChunked(headers, body),
            ContentType: header(headers, 'content-type'),
            Metadata: metadataOf(headers),
            ChecksumCRC32: header(headers, 'x-amz-checksum-crc32') ?? trailerOf(headers, body, 'x-amz-checksum-crc32'),
          },
        };
      }
      case 'GET': return { operation: 'GetObject', input: { Bucket: bucket, Key: key, ChecksumMode: header(headers, 'x-amz-checksum-mode') } };
      case 'HEAD': return { operation: 'HeadObject', input: { Bucket: bucket, Key: key, ChecksumMode: header(headers, 'x-amz-checksum-mode') } };
      case 'DELETE': return { operation: 'DeleteObject', input: { Bucket: bucket, Key: key } };
      default: return undefined;
    }
  }

  /** The object (or bucket) a request is about: its name is `<bucket>/<key>` (or `<bucket>`). */
  target(operation: string, input: Input): { operation: string; name: string; arn: string } {
    if (operation === 'ListObjectsV2') return { operation, name: input.Bucket, arn: s3Arn(input.Bucket) };
    return { operation, name: `${input.Bucket}/${input.Key}`, arn: s3Arn(input.Bucket, input.Key) };
  }

  /** What IAM must allow for the request (s3:GetObject also covers HeadObject). */
  authorization(operation: string, input: Input, _ctx?: CallContext): IamRequest[] {
    switch (operation) {
      case 'PutObject': return [{ action: 's3:PutObject', resource: s3Arn(input.Bucket, input.Key) }];
      case 'GetObject':
      case 'HeadObject': return [{ action: 's3:GetObject', resource: s3Arn(input.Bucket, input.Key) }];
      case 'DeleteObject': return [{ action: 's3:DeleteObject', resource: s3Arn(input.Bucket, input.Key) }];
      case 'CopyObject': {
        const source = parseCopySource(input.CopySource);
        return [
          { action: source.versionId ? 's3:GetObjectVersion' : 's3:GetObject', resource: s3Arn(source.bucket, source.key) },
          { action: 's3:PutObject', resource: s3Arn(input.Bucket, input.Key), context: { 's3:x-amz-copy-source': `${source.bucket}/${source.key}` } },
        ];
      }
      case 'ListObjectsV2': {
        const context: Record<string, string> = {};
        if (input.Prefix !== undefined) context['s3:prefix'] = input.Prefix;
        if (input.Delimiter !== undefined) context['s3:delimiter'] = input.Delimiter;
        if (input.MaxKeys !== undefined) context['s3:max-keys'] = String(input.MaxKeys);
        return [{ action: 's3:ListBucket', resource: s3Arn(input.Bucket), ...(Object.keys(context).length > 0 ? { context } : {}) }];
      }
      default: return [];
    }
  }

  /** The output object, with the model's member names (header-bound members included). */
  handle(operation: string, input: Input): Record<string, unknown> {
    switch (operation) {
      case 'PutObject': return this.putObject(input);
      case 'GetObject': return { ...this.metadata(this.read(input.Bucket, input.Key), input), Body: this.read(input.Bucket, input.Key).body };
      case 'HeadObject': return this.metadata(this.read(input.Bucket, input.Key), input);
      case 'CopyObject': return this.copyObject(input);
      case 'DeleteObject': return this.deleteObject(input);
      case 'ListObjectsV2': return this.listObjects(input);
      default: throw new ApiError('NotImplemented', `The emulator does not implement ${operation}.`, 501);
    }
  }

  /** The error S3 answers a request that IAM denies. */
  accessDenied(message = 'Access Denied'): ApiError {
    return new ApiError('AccessDenied', message, 403);
  }

  private putObject(input: Input) {
    const object = this.store.put(input.Bucket, input.Key, input.Body as Buffer, {
      contentType: input.ContentType, metadata: input.Metadata, checksumCrc32: input.ChecksumCRC32,
    });
    return {
      ETag: object.etag,
      ServerSideEncryption: 'AES256',
      ...(object.checksumCrc32 ? { ChecksumCRC32: object.checksumCrc32, ChecksumType: 'FULL_OBJECT' } : {}),
    };
  }

  private copyObject(input: Input) {
    const source = parseCopySource(input.CopySource);
    const from = this.read(source.bucket, source.key);
    const replace = input.MetadataDirective === 'REPLACE';
    if (input.MetadataDirective !== undefined && !['COPY', 'REPLACE'].includes(input.MetadataDirective)) {
      throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', input.MetadataDirective);
    }
    if (source.bucket === input.Bucket && source.key === input.Key && !replace) {
      throw new ApiError('InvalidRequest', 'This copy request is illegal because it is trying to copy an object to itself without changing '
        + "the object's metadata, storage class, website redirect location or encryption attributes.", 400);
    }
    const object = this.store.put(input.Bucket, input.Key, from.body, {
      contentType: replace ? input.ContentType : from.contentType,
      metadata: replace ? input.Metadata : from.metadata,
      checksumCrc32: from.checksumCrc32,
    });
    return {
      CopyObjectResult: {
        ETag: object.etag,
        LastModified: new Date(Math.floor(object.lastModified / 1000) * 1000),
        ...(object.checksumCrc32 ? { ChecksumCRC32: object.checksumCrc32, ChecksumType: 'FULL_OBJECT' } : {}),
      },
      ServerSideEncryption: 'AES256',
    };
  }

  private deleteObject(input: Input) {
    if (!this.store.hasBucket(input.Bucket)) throw noSuchBucket(input.Bucket);
    this.store.delete(input.Bucket, input.Key);
    return {};
  }

  /** Keys in order, after StartAfter or the continuation token; Delimiter rolls keys up into CommonPrefixes. */
  private listObjects(input: Input) {
    if (!this.store.hasBucket(input.Bucket)) throw noSuchBucket(input.Bucket);
    const maxKeys = input.MaxKeys === undefined ? MAX_KEYS : Number(input.MaxKeys);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', String(input.MaxKeys));
    const limit = Math.min(maxKeys, MAX_KEYS);
    let after: string | undefined = input.StartAfter;
    if (input.ContinuationToken !== undefined) {
      const token = decodeToken(String(input.ContinuationToken));
      if (!token || token.bucket !== input.Bucket || typeof token.after !== 'string') {
        throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', input.ContinuationToken);
      }
      after = token.after;
    }
    const prefix: string = input.Prefix ?? '';
    const delimiter: string | undefined = input.Delimiter || undefined;
    const entries: Array<{ kind: 'object'; object: ObjectInfo; sortKey: string } | { kind: 'prefix'; prefix: string; sortKey: string }> = [];
    const seenPrefixes = new Set<string>();
    for (const object of this.store.list(input.Bucket)) {
      if (!object.key.startsWith(prefix)) continue;
      if (after !== undefined && Buffer.compare(Buffer.from(object.key), Buffer.from(after)) <= 0) continue;
      const rest = object.key.substring(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (delimiter && cut >= 0) {
        const common = prefix + rest.substring(0, cut + delimiter.length);
        if (!seenPrefixes.has(common)) {
          seenPrefixes.add(common);
          entries.push({ kind: 'prefix', prefix: common, sortKey: object.key });
        }
      } else {
        entries.push({ kind: 'object', object, sortKey: object.key });
      }
    }
    const page = entries.slice(0, limit);
    const truncated = entries.length > limit;
    const last = page[page.length - 1];
    // A rolled-up prefix continues after every key under it.
    const resumeAfter = last?.kind === 'prefix' ? `${last.prefix}\u{10FFFF}` : last?.sortKey;
    const contents = page.filter((e) => e.kind === 'object').map((e) => (e as { object: ObjectInfo }).object);
    const prefixes = page.filter((e) => e.kind === 'prefix').map((e) => ({ Prefix: (e as { prefix: string }).prefix }));
    return {
      IsTruncated: truncated,
      Contents: contents.length > 0 ? contents.map((o) => ({
        Key: o.key,
        LastModified: new Date(Math.floor(o.lastModified / 1000) * 1000),
        ETag: o.etag,
        ...(o.checksumCrc32 ? { ChecksumAlgorithm: ['CRC32'], ChecksumType: 'FULL_OBJECT' } : {}),
        Size: o.size,
        StorageClass: 'STANDARD',
      })) : undefined,
      Name: input.Bucket,
      Prefix: prefix,
      Delimiter: delimiter,
      MaxKeys: maxKeys,
      CommonPrefixes: prefixes.length > 0 ? prefixes : undefined,
      KeyCount: page.length,
      ContinuationToken: input.ContinuationToken,
      NextContinuationToken: truncated && resumeAfter !== undefined ? encodeToken({ bucket: input.Bucket, after: resumeAfter }) : undefined,
      StartAfter: input.StartAfter,
    };
  }

  private read(bucket: string, key: string): ObjectInfo {
    const object = this.store.get(bucket, key);
    if (object) return object;
    throw this.store.hasBucket(bucket) ? noSuchKey(key) : noSuchBucket(bucket);
  }

  /** What GetObject and HeadObject answer about an object, in headers. */
  private metadata(object: ObjectInfo, input: Input) {
    const checksum = input.ChecksumMode === 'ENABLED' && object.checksumCrc32
      ? { ChecksumCRC32: object.checksumCrc32, ChecksumType: 'FULL_OBJECT' } : {};
    return {
      AcceptRanges: 'bytes',
      LastModified: new Date(Math.floor(object.lastModified / 1000) * 1000),
      ContentLength: object.size,
      ETag: object.etag,
      ...checksum,
      ContentType: object.contentType,
      ServerSideEncryption: 'AES256',
      Metadata: Object.keys(object.metadata).length > 0 ? object.metadata : undefined,
    };
  }
}

/**
 * `x-amz-copy-source`: `<bucket>/<key>` with the key URL-encoded (S3 decodes it), optionally a
 * leading slash and `?versionId=<id>`.
 */
export function parseCopySource(value: unknown): { bucket: string; key: string; versionId?: string } {
  const text = String(value ?? '');
  const [path, query] = text.replace(/^\//, '').split('?', 2);
  const slash = path.indexOf('/');
  let key: string | undefined;
  try {
    key = slash > 0 ? decodeURIComponent(path.substring(slash + 1)) : undefined;
  } catch {
    key = undefined;
  }
  if (!key) throw invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', text);
  const versionId = query ? new URLSearchParams(query).get('versionId') ?? undefined : undefined;
  return { bucket: path.substring(0, slash), key, versionId };
}

function metadataOf(headers: Headers): Record<string, string> | undefined {
  const entries = Object.entries(headers).filter(([k]) => k.startsWith('x-amz-meta-'))
    .map(([k, v]) => [k.substring('x-amz-meta-'.length), Array.isArray(v) ? v.join(',') : String(v)]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * A body the SDK streams (`content-encoding: aws-chunked`): `<hex size>[;chunk-signature=..]\r\n<bytes>\r\n`
 * chunks, a zero-size chunk, then trailers such as the checksum.
 */
function decodeAwsChunked(headers: Headers, body: Buffer): Buffer {
  if (!(header(headers, 'content-encoding') ?? '').split(',').map((s) => s.trim()).includes('aws-chunked')) return body;
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    if (!(size > 0)) break;
    chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(chunks);
}

/** A trailer of an aws-chunked body, e.g. `x-amz-checksum-crc32:<base64>`. */
function trailerOf(headers: Headers, body: Buffer, name: string): string | undefined {
  if (!(header(headers, 'x-amz-trailer') ?? '').includes(name)) return undefined;
  const match = new RegExp(`(?:^|\\r\\n)${name}:([^\\r\\n]*)`).exec(body.toString('latin1'));
  return match?.[1].trim();
}
