/**
 * The S3 API as s3.lazy.ts uses it: its commands, and the client made as every client of the
 * handlers is (core/client.ts). A deferred module: bundled into the chunk, initialized when one of
 * its exports is first read (see deferredModules in scripts/handler-build-options.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { bounded, clientConfig } from './core/client';

export { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';

export function newS3Client(requestTimeout: number): S3Client {
  return bounded(new S3Client(clientConfig(requestTimeout)));
}
