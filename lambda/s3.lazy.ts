/**
 * The S3 calls of the handlers (see objects.ts): a chunk of its own (s3.lazy.js), loaded on first
 * use, since the S3 client is larger than the rest of the handler code and few requests need it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { classifyError } from './core/errors';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, newS3Client } from './s3-sdk.deferred';

/** An S3 object. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/**
 * A server-side copy of a large file can take longer than the control APIs' requests: each request
 * may run up to what the invocation's budget has left.
 */
const S3_REQUEST_TIMEOUT_MS = 5 * 60_000;

let client: S3Client | undefined;

function s3(): S3Client {
  client ??= newS3Client(S3_REQUEST_TIMEOUT_MS);
  return client;
}

/** CopyObject: a read of the source and a write of the target. */
export async function copyObject(source: S3Object, target: S3Object): Promise<void> {
  await s3().send(new CopyObjectCommand({
    Bucket: target.bucket,
    Key: target.key,
    CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`,
  }));
}

/** Whether the object is there (HeadObject; not found is false). */
export async function objectExists(object: S3Object): Promise<boolean> {
  try {
    await s3().send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }));
    return true;
  } catch (error) {
    if (classifyError(error) === 'not-found') return false;
    throw error;
  }
}

/** DeleteObject (an object that is gone already is no error in S3). */
export async function deleteObject(object: S3Object): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: object.bucket, Key: object.key }));
}

/** GetObject's body as text, refusing an object larger than `maxBytes`. */
export async function readObject(object: S3Object, maxBytes: number): Promise<string> {
  const response = await s3().send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  if ((response.ContentLength ?? 0) > maxBytes) {
    await response.Body?.transformToString().catch(() => undefined);
    throw new Error(`s3://${object.bucket}/${object.key} holds ${response.ContentLength} bytes; at most ${maxBytes} can be read`);
  }
  return (await response.Body?.transformToString('utf-8')) ?? '';
}
