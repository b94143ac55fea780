/**
 * Amazon Bedrock AgentCore control plane (API 2023-06-05), evaluation datasets only: datasets,
 * their examples (a mutable DRAFT), published versions, and tags. The protocol is REST JSON; route()
 * maps a request to an operation and its input the way the SDK's schemas bind them (path labels,
 * query strings, JSON body).
 *
 * Behaviour follows the API documentation: CreateDataset returns CREATING, then ACTIVE or
 * CREATE_FAILED; example changes and versions put the dataset in UPDATING, then ACTIVE or
 * UPDATE_FAILED; DeleteDataset puts it in DELETING, then it is gone (or DELETE_FAILED). State guards
 * answer ConflictException with DATASET_NOT_READY, DATASET_IN_FAILED_STATE or REFERENCED_BY_EVAL_JOB.
 */
import { randomUUID } from 'crypto';
import { FaultTarget } from './faults';
import { ObjectStore, parseS3Uri } from './objects';
import { ApiError, AuthorizingService, CallContext, decodeToken, encodeToken, IamRequest, Runtime, seconds, stepDelay } from './state';
import { requestTagContext, resourceTagContext } from '../iam/authorize';

type Input = Record<string, any>;
type Content = Record<string, unknown>;

interface Version {
  readonly examples: Map<string, Content>;
  readonly createdAt: number;
}

interface Dataset {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  description?: string;
  readonly schemaType: string;
  readonly kmsKeyArn?: string;
  status: string;
  failureReason?: string;
  readonly createdAt: number;
  updatedAt: number;
  tags: Record<string, string>;
  /** The DRAFT: example id > content (without the id), in insertion order. */
  draft: Map<string, Content>;
  /** Whether the DRAFT has changes no published version has (draftStatus MODIFIED). */
  modified: boolean;
  readonly versions: Map<string, Version>;
  lastVersion: number;
}

/** An operation's HTTP binding, as in the SDK's schema (method, path, success status). */
export interface Route {
  readonly method: string;
  readonly path: string[];
  readonly operation: string;
  readonly status: number;
}

export const ROUTES: Route[] = [
  ['POST', '/datasets', 'CreateDataset', 202],
  ['GET', '/datasets', 'ListDatasets', 200],
  ['GET', '/datasets/{datasetId}', 'GetDataset', 200],
  ['PUT', '/datasets/{datasetId}', 'UpdateDataset', 200],
  ['DELETE', '/datasets/{datasetId}', 'DeleteDataset', 202],
  ['POST', '/datasets/{datasetId}/examples/add', 'AddDatasetExamples', 202],
  ['POST', '/datasets/{datasetId}/examples/update', 'UpdateDatasetExamples', 202],
  ['POST', '/datasets/{datasetId}/examples/delete', 'DeleteDatasetExamples', 202],
  ['GET', '/datasets/{datasetId}/examples', 'ListDatasetExamples', 200],
  ['POST', '/datasets/{datasetId}/versions', 'CreateDatasetVersion', 202],
  ['GET', '/datasets/{datasetId}/versions', 'ListDatasetVersions', 200],
  ['POST', '/tags/{resourceArn}', 'TagResource', 204],
  ['DELETE', '/tags/{resourceArn}', 'UntagResource', 204],
  ['GET', '/tags/{resourceArn}', 'ListTagsForResource', 200],
].map(([method, path, operation, status]) => ({
  method: method as string, path: (path as string).split('/').slice(1), operation: operation as string, status: status as number,
}));

/** HTTP statuses of the modeled errors (from the SDK's error schemas). */
const ERROR_STATUS: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ServiceQuotaExceededException: 402,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

const NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,47}$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}$/;
const VERSION = /^(DRAFT|[0-9]+)$/;
const SCHEMA_TYPES = ['AGENTCORE_EVALUATION_PREDEFINED_V1', 'AGENTCORE_EVALUATION_SIMULATED_V1', 'THIRD_PARTY_EVALUATION_V1'];
const MAX_PER_CALL = 1000;
/** ListDatasetExamples refuses a page whose response would be larger (5 MB, as MiB). */
export const MAX_LIST_EXAMPLES_RESPONSE_BYTES = 5 * 1024 * 1024;
const MAX_TAGS = 50;

function validation(message: string, reason = 'FieldValidationFailed'): ApiError {
  return new ApiError('ValidationException', message, 400, { reason });
}

function conflict(message: string): ApiError {
  return new ApiError('ConflictException', message, 409);
}

export interface AgentCoreOptions {
  /** What an `s3Source` reads (JSONL): the emulator's object store, which S3 also serves. */
  readonly objects: ObjectStore;
  /** Check examples against the dataset's schemaType. */
  readonly validateExamples: boolean;
}

export class AgentCoreService implements AuthorizingService {
  private readonly datasets = new Map<string, Dataset>();
  /** Idempotency: `<operation>/<datasetId>/<clientToken>` > the request's fingerprint and response. */
  private readonly tokens = new Map<string, { fingerprint: string; datasetId: string; response: unknown }>();

  constructor(private readonly rt: Runtime, private readonly options: AgentCoreOptions) {}

  statusOf(code: string): number {
    return ERROR_STATUS[code] ?? 400;
  }

  /** Maps a request to an operation and its input; undefined when no route matches. */
  route(method: string, rawPath: string, query: URLSearchParams, body: Input): { operation: string; input: Input; status: number } | undefined {
    const segments = rawPath.split('/').slice(1);
    for (const route of ROUTES) {
      if (route.method !== method || route.path.length !== segments.length) continue;
      const labels: Input = {};
      const matched = route.path.every((part, i) => {
        if (part.startsWith('{')) {
          labels[part.slice(1, -1)] = decodeURIComponent(segments[i]);
          return segments[i].length > 0;
        }
        return part === segments[i];
      });
      if (!matched) continue;
      const input: Input = { ...body, ...labels };
      for (const key of ['datasetVersion', 'nextToken']) if (query.has(key)) input[key] = query.get(key);
      if (query.has('maxResults')) input.maxResults = Number(query.get('maxResults'));
      if (query.has('tagKeys')) input.tagKeys = query.getAll('tagKeys');
      return { operation: route.operation, input, status: route.status };
    }
    return undefined;
  }

  target(operation: string, input: Input): Omit<FaultTarget, 'service'> {
    if (operation === 'CreateDataset') return { operation, name: input.datasetName };
    const dataset = input.datasetId !== undefined ? this.datasets.get(input.datasetId) : this.byArn(input.resourceArn);
    return { operation, name: dataset?.name, arn: dataset?.arn ?? input.resourceArn };
  }

  handle(operation: string, input: Input, ctx: CallContext): unknown {
    switch (operation) {
      case 'CreateDataset': return this.idempotent(operation, input, () => this.createDataset(input, ctx));
      case 'GetDataset': return this.getDataset(input, ctx);
      case 'UpdateDataset': return this.idempotent(operation, input, () => this.updateDataset(input));
      case 'DeleteDataset': return this.deleteDataset(input);
      case 'ListDatasets': return this.listDatasets(input);
      case 'AddDatasetExamples': return this.idempotent(operation, input, () => this.addExamples(input));
      case 'UpdateDatasetExamples': return this.idempotent(operation, input, () => this.updateExamples(input));
      case 'DeleteDatasetExamples': return this.idempotent(operation, input, () => this.deleteExamples(input));
      case 'ListDatasetExamples': return this.listExamples(input);
      case 'CreateDatasetVersion': return this.idempotent(operation, input, () => this.createVersion(input));
      case 'ListDatasetVersions': return this.listVersions(input);
      case 'TagResource': return this.tagResource(input);
      case 'UntagResource': return this.untagResource(input);
      case 'ListTagsForResource': return { tags: this.taggable(input.resourceArn).tags };
      default: throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`, 404);
    }
  }

  reset(): void {
    this.datasets.clear();
    this.tokens.clear();
  }

  /**
   * The IAM requests of a call (Service Authorization Reference, Amazon Bedrock AgentCore):
   * CreateDataset and ListDatasets have no resource type (`*`); every other dataset operation is
   * authorized against the dataset's ARN, which the datasetId names; the tag operations against
   * the ARN they are given (see rehearsal/iam/authorize.ts for a type the action does not list).
   * An `s3Source` is read with the caller's credentials (forward access sessions), so the caller
   * also needs s3:GetObject on the file.
   */
  authorization(operation: string, input: Input, ctx: CallContext): IamRequest[] {
    const action = `bedrock-agentcore:${operation}`;
    const onDataset = (): IamRequest => {
      const arn = this.datasets.get(input.datasetId)?.arn
        ?? `arn:aws:bedrock-agentcore:${ctx.region}:${this.rt.account}:dataset/${input.datasetId}`;
      return { action, resource: arn, context: this.resourceTags(arn) };
    };
    switch (operation) {
      case 'CreateDataset':
        return [{ action, resource: '*', context: isObject(input.tags) ? requestTagContext(input.tags) : {} }, ...this.s3Read(input.source)];
      case 'ListDatasets':
        return [{ action, resource: '*' }];
      case 'AddDatasetExamples':
        return [onDataset(), ...this.s3Read(input.source)];
      case 'GetDataset':
      case 'UpdateDataset':
      case 'DeleteDataset':
      case 'UpdateDatasetExamples':
      case 'DeleteDatasetExamples':
      case 'ListDatasetExamples':
      case 'CreateDatasetVersion':
      case 'ListDatasetVersions':
        return [onDataset()];
      case 'TagResource':
        return [{
          action,
          resource: String(input.resourceArn),
          context: { ...this.resourceTags(input.resourceArn), ...(isObject(input.tags) ? requestTagContext(input.tags) : {}) },
        }];
      case 'UntagResource':
        return [{
          action,
          resource: String(input.resourceArn),
          context: { ...this.resourceTags(input.resourceArn), ...(Array.isArray(input.tagKeys) ? { 'aws:TagKeys': input.tagKeys.map(String) } : {}) },
        }];
      case 'ListTagsForResource':
        return [{ action, resource: String(input.resourceArn), context: this.resourceTags(input.resourceArn) }];
      default: throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`, 404);
    }
  }

  /** s3:GetObject on an `s3Source` file (s3://<bucket>/<key>), read with the caller's credentials. */
  private s3Read(source: unknown): IamRequest[] {
    const uri = isObject(source) && isObject(source.s3Source) ? source.s3Source.s3Uri : undefined;
    const match = typeof uri === 'string' ? /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) : null;
    return match ? [{ action: 's3:GetObject', resource: `arn:aws:s3:::${match[1]}/${match[2]}` }] : [];
  }

  private resourceTags(arn: unknown): Record<string, string> {
    return resourceTagContext(this.byArn(arn)?.tags);
  }

  // ---- datasets ----

  private createDataset(input: Input, ctx: CallContext) {
    const name = input.datasetName;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw validation(`Invalid datasetName '${name}': must match ^[a-zA-Z][a-zA-Z0-9_]{0,47}$.`);
    }
    if (!SCHEMA_TYPES.includes(input.schemaType)) {
      throw validation(`Invalid schemaType '${input.schemaType}': must be one of ${SCHEMA_TYPES.join(', ')}.`);
    }
    this.checkDescription(input.description);
    const tags = this.checkTags(input.tags ?? {});
    const examples = this.readSource(input.source, input.schemaType);
    const taken = [...this.datasets.values()].find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (taken) throw conflict(`A dataset named '${taken.name}' already exists in this account (${taken.id}).`);
    const quota = this.rt.limits.evaluationDatasets;
    if (quota !== undefined && this.datasets.size >= quota) {
      throw new ApiError('ServiceQuotaExceededException', `The quota of ${quota} datasets has been reached.`, 402);
    }

    const id = `${name}-${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const now = this.rt.now();
    const dataset: Dataset = {
      id,
      arn: `arn:aws:bedrock-agentcore:${ctx.region}:${this.rt.account}:dataset/${id}`,
      name,
      description: input.description,
      schemaType: input.schemaType,
      kmsKeyArn: input.kmsKeyArn,
      status: 'CREATING',
      createdAt: now,
      updatedAt: now,
      tags,
      draft: new Map(),
      modified: true,
      versions: new Map(),
      lastVersion: 0,
    };
    this.datasets.set(id, dataset);
    this.rt.inspector.track('agentcore', 'evaluation-dataset', dataset.arn, id, name, 'CREATING', now);

    // The examples are ingested when the dataset turns ACTIVE.
    this.transition(dataset, 'CreateDataset', 'CREATE_FAILED', () => {
      examples.forEach((content) => dataset.draft.set(randomUUID(), content));
    });
    return { datasetArn: dataset.arn, datasetId: id, status: dataset.status, createdAt: seconds(now) };
  }

  private getDataset(input: Input, ctx: CallContext) {
    const dataset = this.get(input.datasetId);
    const version = this.checkVersion(input.datasetVersion);
    const examples = this.examplesOf(dataset, version);
    ctx.call.observed = dataset.status;
    return {
      datasetArn: dataset.arn,
      datasetId: dataset.id,
      datasetVersion: version,
      datasetName: dataset.name,
      description: dataset.description,
      status: dataset.status,
      draftStatus: this.draftStatus(dataset),
      failureReason: dataset.failureReason,
      schemaType: dataset.schemaType,
      kmsKeyArn: dataset.kmsKeyArn,
      exampleCount: examples.size,
      createdAt: seconds(dataset.createdAt),
      updatedAt: seconds(dataset.updatedAt),
      tags: dataset.tags,
    };
  }

  private updateDataset(input: Input) {
    const dataset = this.get(input.datasetId);
    this.checkDescription(input.description);
    if (['CREATING', 'DELETING'].includes(dataset.status)) throw this.notReady(dataset);
    if (input.description !== undefined) dataset.description = input.description;
    dataset.updatedAt = this.rt.now();
    return { datasetArn: dataset.arn, datasetId: dataset.id, updatedAt: seconds(dataset.updatedAt) };
  }

  private deleteDataset(input: Input) {
    const dataset = this.get(input.datasetId);
    if (input.datasetVersion !== undefined) return this.deleteVersion(dataset, this.checkVersion(input.datasetVersion));

    if (!['ACTIVE', 'CREATE_FAILED', 'UPDATE_FAILED', 'DELETE_FAILED'].includes(dataset.status)) throw this.notReady(dataset);
    const target = this.faultTarget('DeleteDataset', dataset);
    const inUse = this.rt.faults.take(['in-use'], target);
    if (inUse) {
      throw conflict(`REFERENCED_BY_EVAL_JOB: Dataset ${dataset.id} is in use by an evaluation job` +
        `${inUse.spec.reason ? ` (${inUse.spec.reason})` : ''}; it can be deleted once the job ends.`);
    }
    const stuck = this.rt.faults.take(['stuck-delete'], target);
    this.setStatus(dataset, 'DELETING');
    const proceed = () => this.transition(dataset, 'DeleteDataset', 'DELETE_FAILED', () => {
      this.datasets.delete(dataset.id);
      [...this.tokens].filter(([, t]) => t.datasetId === dataset.id).forEach(([key]) => this.tokens.delete(key));
      this.rt.inspector.gone(dataset.arn);
    });
    if (stuck) this.rt.scheduler.hold(stuck.id, dataset.arn, dataset.name, proceed);
    else proceed();
    return { datasetArn: dataset.arn, datasetId: dataset.id, status: dataset.status, datasetVersion: 'DRAFT', updatedAt: seconds(dataset.updatedAt) };
  }

  private deleteVersion(dataset: Dataset, version: string) {
    if (version === 'DRAFT') throw validation('The DRAFT cannot be deleted on its own: omit datasetVersion to delete the dataset.');
    if (!['ACTIVE', 'CREATE_FAILED', 'UPDATE_FAILED'].includes(dataset.status)) throw this.notReady(dataset);
    if (!dataset.versions.has(version)) {
      throw new ApiError('ResourceNotFoundException', `Version ${version} of dataset ${dataset.id} does not exist.`, 404);
    }
    this.setStatus(dataset, 'UPDATING');
    this.transition(dataset, 'DeleteDataset', 'UPDATE_FAILED', () => dataset.versions.delete(version));
    return { datasetArn: dataset.arn, datasetId: dataset.id, status: dataset.status, datasetVersion: version, updatedAt: seconds(dataset.updatedAt) };
  }

  private listDatasets(input: Input) {
    const { items, nextToken } = this.page('ListDatasets', '', input, [...this.datasets.values()], 100, 100);
    return {
      datasets: items.map((d) => ({
        datasetArn: d.arn,
        datasetId: d.id,
        datasetName: d.name,
        description: d.description,
        status: d.status,
        draftStatus: this.draftStatus(d),
        schemaType: d.schemaType,
        exampleCount: d.draft.size,
        createdAt: seconds(d.createdAt),
        updatedAt: seconds(d.updatedAt),
      })),
      nextToken,
    };
  }

  // ---- examples (changes apply to the DRAFT when the dataset turns ACTIVE again) ----

  private addExamples(input: Input) {
    const dataset = this.get(input.datasetId);
    this.requireActive(dataset);
    const examples = this.readSource(input.source, dataset.schemaType);
    const ids = examples.map(() => randomUUID());
    this.change(dataset, 'AddDatasetExamples', () => examples.forEach((content, i) => dataset.draft.set(ids[i], content)));
    return { ...this.changed(dataset), addedCount: ids.length, exampleIds: ids };
  }

  private updateExamples(input: Input) {
    const dataset = this.get(input.datasetId);
    this.requireActive(dataset);
    const examples = this.checkBatch(input.examples, 'examples');
    const updates = examples.map((example, i) => {
      if (!isObject(example) || typeof example.exampleId !== 'string') {
        throw validation(`examples[${i}] must be a JSON object with a string exampleId.`);
      }
      const { exampleId, ...content } = example;
      this.checkExample(dataset.schemaType, content, i);
      return [exampleId as string, content] as const;
    });
    const missing = updates.map(([id]) => id).filter((id) => !dataset.draft.has(id));
    if (missing.length > 0) throw this.examplesNotFound(dataset, missing);
    this.change(dataset, 'UpdateDatasetExamples', () => updates.forEach(([id, content]) => dataset.draft.set(id, content)));
    return { ...this.changed(dataset), updatedCount: updates.length };
  }

  private deleteExamples(input: Input) {
    const dataset = this.get(input.datasetId);
    this.requireActive(dataset);
    const ids = this.checkBatch(input.exampleIds, 'exampleIds');
    if (ids.some((id) => typeof id !== 'string')) throw validation('exampleIds must be strings.');
    const missing = (ids as string[]).filter((id) => !dataset.draft.has(id));
    if (missing.length > 0) throw this.examplesNotFound(dataset, missing);
    this.change(dataset, 'DeleteDatasetExamples', () => (ids as string[]).forEach((id) => dataset.draft.delete(id)));
    return { ...this.changed(dataset), deletedCount: ids.length };
  }

  /** What every example change answers. */
  private changed(dataset: Dataset) {
    return { datasetArn: dataset.arn, datasetId: dataset.id, status: dataset.status, updatedAt: seconds(dataset.updatedAt) };
  }

  /** Pages are pinned to the version the first page resolved (the token carries it). */
  private listExamples(input: Input) {
    const dataset = this.get(input.datasetId);
    let version = this.checkVersion(input.datasetVersion);
    if (input.nextToken !== undefined) {
      const token = decodeToken(String(input.nextToken));
      if (typeof token?.v === 'string') version = token.v;
    }
    const examples = [...this.examplesOf(dataset, version)].map(([exampleId, content]) => ({ exampleId, ...content }));
    const { items, nextToken } = this.page('ListDatasetExamples', dataset.id, input, examples, MAX_PER_CALL, MAX_PER_CALL, { v: version });
    const response = { datasetArn: dataset.arn, datasetId: dataset.id, datasetVersion: version, examples: items, nextToken };
    // "Response size is validated against 5 MB limit after reading" (the maxResults documentation).
    const bytes = Buffer.byteLength(JSON.stringify(response));
    if (bytes > MAX_LIST_EXAMPLES_RESPONSE_BYTES) {
      const message = `The response of ${items.length} examples would be ${bytes} bytes, over the 5 MB limit of ListDatasetExamples: `
        + "request fewer with maxResults, or download the dataset from GetDataset's downloadUrl.";
      throw new ApiError('ValidationException', message, 400, { reason: 'FieldValidationFailed', fieldList: [{ name: 'maxResults', message }] });
    }
    return response;
  }

  // ---- versions ----

  private createVersion(input: Input) {
    const dataset = this.get(input.datasetId);
    if (['CREATE_FAILED', 'DELETE_FAILED'].includes(dataset.status)) {
      throw conflict(`DATASET_IN_FAILED_STATE: Dataset ${dataset.id} is ${dataset.status}.`);
    }
    if (['CREATING', 'UPDATING', 'DELETING'].includes(dataset.status)) throw this.notReady(dataset);
    const number = ++dataset.lastVersion;
    const snapshot = new Map(dataset.draft);
    this.setStatus(dataset, 'UPDATING');
    this.transition(dataset, 'CreateDatasetVersion', 'UPDATE_FAILED', () => {
      dataset.versions.set(String(number), { examples: snapshot, createdAt: this.rt.now() });
      dataset.modified = false;
    }, () => {
      if (dataset.lastVersion === number) dataset.lastVersion--; // the number was never published
    });
    const createdAt = seconds(this.rt.now());
    return { datasetArn: dataset.arn, datasetId: dataset.id, status: dataset.status, datasetVersion: String(number), createdAt };
  }

  /** Published versions, newest first. */
  private listVersions(input: Input) {
    const dataset = this.get(input.datasetId);
    const versions = [...dataset.versions].sort(([a], [b]) => Number(b) - Number(a))
      .map(([datasetVersion, v]) => ({ datasetVersion, exampleCount: v.examples.size, createdAt: seconds(v.createdAt) }));
    const { items, nextToken } = this.page('ListDatasetVersions', dataset.id, input, versions, 100);
    return { versions: items, nextToken };
  }

  // ---- tags (a map) ----

  private tagResource(input: Input) {
    const dataset = this.taggable(input.resourceArn);
    const tags = { ...dataset.tags, ...this.checkTags(input.tags) };
    this.checkTags(tags);
    dataset.tags = tags;
    return {};
  }

  private untagResource(input: Input) {
    const dataset = this.taggable(input.resourceArn);
    const keys: unknown = input.tagKeys;
    if (!Array.isArray(keys) || keys.length === 0) throw validation('tagKeys is required.');
    dataset.tags = Object.fromEntries(Object.entries(dataset.tags).filter(([k]) => !keys.includes(k)));
    return {};
  }

  // ---- transitions ----

  /** Example changes: UPDATING, then ACTIVE with the change applied, or UPDATE_FAILED without it. */
  private change(dataset: Dataset, operation: string, apply: () => void): void {
    this.setStatus(dataset, 'UPDATING');
    this.transition(dataset, operation, 'UPDATE_FAILED', () => {
      apply();
      dataset.modified = true;
    });
  }

  /**
   * One step after the delay: `succeed` and ACTIVE (or gone, for a deletion that removed the
   * dataset), or `failedStatus` when a `fail` fault matches.
   */
  private transition(dataset: Dataset, operation: string, failedStatus: string, succeed: () => void, onFailure?: () => void): void {
    const failure = this.rt.faults.take(['fail'], this.faultTarget(operation, dataset));
    const delay = stepDelay(this.rt, 'agentcore', operation, dataset.name, dataset.arn);
    this.rt.scheduler.after(delay, () => {
      if (this.datasets.get(dataset.id) !== dataset) return; // reset meanwhile
      if (failure) {
        onFailure?.();
        this.setStatus(dataset, failedStatus, failure.spec.reason ?? `Emulated failure of ${operation}`);
        return;
      }
      succeed();
      if (this.datasets.has(dataset.id)) this.setStatus(dataset, 'ACTIVE');
    });
  }

  private setStatus(dataset: Dataset, status: string, failureReason?: string): void {
    dataset.status = status;
    dataset.failureReason = failureReason;
    dataset.updatedAt = this.rt.now();
    this.rt.inspector.setStatus(dataset.arn, status, failureReason);
  }

  // ---- helpers ----

  /** Same token and same request: the first response again. Same token, other request: an error. */
  private idempotent(operation: string, input: Input, run: () => unknown): unknown {
    const { clientToken, ...request } = input;
    if (clientToken === undefined) return run();
    if (typeof clientToken !== 'string' || clientToken.length < 33 || clientToken.length > 256 || !CLIENT_TOKEN.test(clientToken)) {
      throw validation('Invalid clientToken: 33 to 256 characters matching [a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}.');
    }
    const key = `${operation}/${input.datasetId ?? ''}/${clientToken}`;
    const fingerprint = stableJson(request);
    const seen = this.tokens.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw validation(`The clientToken was already used with different parameters for ${operation}.`, 'IdempotentParameterMismatchException');
      }
      return seen.response;
    }
    const response = run() as Input;
    this.tokens.set(key, { fingerprint, datasetId: response.datasetId ?? input.datasetId, response });
    return response;
  }

  private get(datasetId: unknown): Dataset {
    const dataset = typeof datasetId === 'string' ? this.datasets.get(datasetId) : undefined;
    if (!dataset) throw new ApiError('ResourceNotFoundException', `Dataset ${datasetId} not found.`, 404);
    return dataset;
  }

  private byArn(arn: unknown): Dataset | undefined {
    return [...this.datasets.values()].find((d) => d.arn === arn);
  }

  private taggable(arn: unknown): Dataset {
    const dataset = this.byArn(arn);
    if (!dataset) throw new ApiError('ResourceNotFoundException', `Resource ${arn} not found.`, 404);
    return dataset;
  }

  private faultTarget(operation: string, dataset: Dataset): FaultTarget {
    return { service: 'agentcore', operation, name: dataset.name, arn: dataset.arn };
  }

  private notReady(dataset: Dataset): ApiError {
    return conflict(`DATASET_NOT_READY: Dataset ${dataset.id} is ${dataset.status}.`);
  }

  private requireActive(dataset: Dataset): void {
    if (dataset.status !== 'ACTIVE') throw this.notReady(dataset);
  }

  private draftStatus(dataset: Dataset): string {
    return dataset.modified ? 'MODIFIED' : 'UNMODIFIED';
  }

  private examplesOf(dataset: Dataset, version: string): Map<string, Content> {
    if (version === 'DRAFT') return dataset.draft;
    const published = dataset.versions.get(version);
    if (!published) throw new ApiError('ResourceNotFoundException', `Version ${version} of dataset ${dataset.id} does not exist.`, 404);
    return published.examples;
  }

  private examplesNotFound(dataset: Dataset, ids: string[]): ApiError {
    return new ApiError('ResourceNotFoundException', `Examples not found in the DRAFT of dataset ${dataset.id}: ${ids.slice(0, 5).join(', ')}` +
      `${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}.`, 404);
  }

  private checkVersion(version: unknown): string {
    if (version === undefined) return 'DRAFT';
    if (typeof version !== 'string' || !VERSION.test(version)) throw validation(`Invalid datasetVersion '${version}': DRAFT or a number.`);
    return version;
  }

  private checkDescription(description: unknown): void {
    if (description !== undefined && (typeof description !== 'string' || description.length > 200)) {
      throw validation('description must be a string of at most 200 characters.');
    }
  }

  private checkTags(tags: unknown): Record<string, string> {
    if (!isObject(tags) || Object.values(tags).some((v) => typeof v !== 'string')) throw validation('tags must be a map of strings.');
    if (Object.keys(tags).length > MAX_TAGS) throw validation(`A resource can have at most ${MAX_TAGS} tags.`);
    return tags as Record<string, string>;
  }

  /** 1 to 1000 items per call. */
  private checkBatch(items: unknown, member: string): unknown[] {
    if (!Array.isArray(items) || items.length < 1 || items.length > MAX_PER_CALL) {
      throw validation(`${member} must hold between 1 and ${MAX_PER_CALL} items per call; ${Array.isArray(items) ? items.length : 'none'} given.`);
    }
    return items;
  }

  /** The examples of a `source`: inline (1 to 1000) or an s3 uri known to the emulator (JSONL). */
  private readSource(source: unknown, schemaType: string): Content[] {
    const members = isObject(source) ? Object.keys(source) : [];
    if (!isObject(source) || members.length !== 1) throw validation('source must hold exactly one of inlineExamples or s3Source.');
    let examples: unknown[];
    if (isObject(source.inlineExamples)) {
      examples = this.checkBatch(source.inlineExamples.examples, 'source.inlineExamples.examples');
    } else if (isObject(source.s3Source) && typeof source.s3Source.s3Uri === 'string') {
      examples = this.readS3(source.s3Source.s3Uri);
    } else {
      throw validation('source must hold exactly one of inlineExamples or s3Source.');
    }
    examples.forEach((example, i) => {
      if (!isObject(example)) throw validation(`Example ${i} is not a JSON object.`);
      this.checkExample(schemaType, example, i);
    });
    return examples as Content[];
  }

  private readS3(uri: string): unknown[] {
    const text = parseS3Uri(uri) ? this.options.objects.getUri(uri)?.text : undefined;
    if (text === undefined) {
      throw validation(`Could not read ${uri}: the object does not exist or is not accessible.`);
    }
    return text.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw validation(`Line ${i + 1} of ${uri} is not valid JSON.`, 'CannotParse');
      }
    });
  }

  /** The required fields of each schema type (AgentCore dataset schema documentation). */
  private checkExample(schemaType: string, example: Content, index: number): void {
    if (!this.options.validateExamples) return;
    const fail = (what: string) => {
      throw validation(`Example ${index} does not match ${schemaType}: ${what}.`);
    };
    if (schemaType === 'AGENTCORE_EVALUATION_PREDEFINED_V1') {
      if (typeof example.scenario_id !== 'string') fail('scenario_id (a string) is required');
      const turns = example.turns;
      if (!Array.isArray(turns) || turns.length === 0) fail('turns (a non-empty list) is required');
      if ((turns as unknown[]).some((t) => !isObject(t) || t.input === undefined)) fail('every turn needs an input');
    } else if (schemaType === 'AGENTCORE_EVALUATION_SIMULATED_V1') {
      if (typeof example.scenario_id !== 'string') fail('scenario_id (a string) is required');
      const profile = example.actor_profile;
      if (!isObject(profile) || profile.context === undefined || profile.goal === undefined) {
        fail('actor_profile with context and goal is required');
      }
      if (example.input === undefined) fail('input is required');
    }
  }

  /** Pages of `items`; the token names the operation and dataset it belongs to (and `extra`). */
  private page<T>(operation: string, scope: string, input: Input, items: T[], defaultSize: number, maxSize = 1000, extra: Input = {}) {
    const size = input.maxResults ?? defaultSize;
    if (!Number.isInteger(size) || size < 1 || size > maxSize) throw validation(`maxResults must be between 1 and ${maxSize}.`);
    let offset = 0;
    if (input.nextToken !== undefined) {
      const token = decodeToken(String(input.nextToken));
      if (!token || token.op !== operation || token.scope !== scope || !Number.isInteger(token.o)) {
        throw validation('Invalid nextToken.');
      }
      offset = token.o as number;
    }
    const end = offset + size;
    const nextToken = end < items.length ? encodeToken({ op: operation, scope, o: end, ...extra }) : undefined;
    return { items: items.slice(offset, end), nextToken };
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so that equal requests compare equal. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
