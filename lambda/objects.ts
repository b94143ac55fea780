/**
 * What the handlers need of S3: the copies that imports from local files stage for Personalize
 * (made before the job reads them, removed once it has ended), and the JSONL files evaluation
 * datasets read their examples from. The S3 code is a chunk of its own (s3.lazy.js), loaded on
 * first use: only these requests pay for the S3 client.
 */
import { LifecycleError } from './core/errors';
import type * as S3 from './s3.lazy';

export type S3Object = S3.S3Object;

export interface ObjectStore {
  copy(source: S3Object, target: S3Object): Promise<void>;
  exists(object: S3Object): Promise<boolean>;
  remove(object: S3Object): Promise<void>;
  /** The object's text; an object larger than `maxBytes` is an error. */
  read(object: S3Object, maxBytes: number): Promise<string>;
}

function builtInStore(): ObjectStore {
  // require, not import(): the bundle is CommonJS, and Node resolves './s3.lazy' to its chunk.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const s3 = require('./s3.lazy') as typeof S3;
  return { copy: s3.copyObject, exists: s3.objectExists, remove: s3.deleteObject, read: s3.readObject };
}

let store: ObjectStore | undefined;

export function objects(): ObjectStore {
  store ??= builtInStore();
  return store;
}

/** Replaces the store (tests), or restores the built-in one. */
export function setObjectStore(replacement?: ObjectStore): void {
  store = replacement;
}

/** s3://<bucket>/<key> */
export function parseS3Uri(uri: string): S3Object {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new LifecycleError(`cdk-datasets: ${uri} is not an s3://<bucket>/<key> location`);
  return { bucket: match[1], key: match[2] };
}
