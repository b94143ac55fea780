/**
 * Amazon Personalize (API 2018-05-22), as far as cdk-datasets uses it: dataset groups, schemas,
 * datasets, dataset import jobs, event trackers and tags. The wire protocol (awsJson1_1) is handled
 * in index.ts; here each operation takes the parsed request body and returns the response body, or
 * throws an ApiError.
 *
 * Statuses follow the API reference: CREATE PENDING > CREATE IN_PROGRESS > ACTIVE -or- CREATE FAILED;
 * DELETE PENDING > DELETE IN_PROGRESS > gone; a dataset's schema update (latestDatasetUpdate)
 * UPDATE PENDING > UPDATE IN_PROGRESS > ACTIVE -or- UPDATE FAILED. Schemas have no status.
 *
 * Event trackers (CreateEventTracker in the API reference): at most one per dataset group, in an
 * ACTIVE group, under a name unique in the account and region. Their ARNs end in an id the service
 * generates, not the name: `event-tracker/d2e0162e` is how they appear in accounts (the API
 * reference's example `event-tracker/MovieClickTracker` is illustrative), so a tracker is found by
 * its name only through ListEventTrackers. A tracker has no failureReason.
 */
import { randomBytes, randomUUID } from 'crypto';
import { FaultTarget } from './faults';
import { ApiError, AuthorizingService, CallContext, decodeToken, encodeToken, IamRequest, Runtime, seconds, stepDelay } from './state';
import { requestTagContext, resourceTagContext } from '../iam/authorize';

interface Tag {
  tagKey: string;
  tagValue: string;
}

interface Base {
  readonly arn: string;
  readonly name: string;
  status: string;
  failureReason?: string;
  readonly createdAt: number;
  updatedAt: number;
  tags: Tag[];
}

interface DatasetGroup extends Base {
  readonly kind: 'dataset-group';
  readonly domain?: string;
  readonly roleArn?: string;
  readonly kmsKeyArn?: string;
}

interface Schema extends Base {
  readonly kind: 'schema';
  readonly schema: string;
  readonly domain?: string;
}

interface DatasetUpdate {
  readonly schemaArn: string;
  status: string;
  failureReason?: string;
  readonly createdAt: number;
  updatedAt: number;
}

interface Dataset extends Base {
  readonly kind: 'dataset';
  readonly datasetGroupArn: string;
  readonly datasetType: string;
  schemaArn: string;
  latestUpdate?: DatasetUpdate;
}

interface ImportJob extends Base {
  readonly kind: 'dataset-import-job';
  readonly datasetArn: string;
  readonly dataLocation: string;
  readonly roleArn?: string;
  readonly importMode: string;
  readonly publishAttributionMetricsToS3?: boolean;
}

interface EventTracker extends Base {
  readonly kind: 'event-tracker';
  readonly datasetGroupArn: string;
  readonly trackingId: string;
}

type Resource = DatasetGroup | Schema | Dataset | ImportJob | EventTracker;
/** Resources with a status that are deleted through DELETE PENDING > DELETE IN_PROGRESS. */
type Deletable = DatasetGroup | Dataset | EventTracker;
type Input = Record<string, any>;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/;
const ARN = /^arn:([a-z\d-]+):personalize:.*:.*:.+$/;
/** The roleArn pattern of the API model. */
const ROLE_ARN = /^arn:([a-z\d-]+):iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const SERVICE_PRINCIPAL = 'personalize.amazonaws.com';
const DOMAINS = ['ECOMMERCE', 'VIDEO_ON_DEMAND'];
/** Dataset types as the API spells them; the request may use any case. */
const DATASET_TYPES = ['INTERACTIONS', 'ITEMS', 'USERS', 'ACTIONS', 'ACTION_INTERACTIONS'];
const UPDATABLE_TYPES = ['ITEMS', 'USERS'];
const MAX_TAGS = 50;
const CREATING = ['CREATE PENDING', 'CREATE IN_PROGRESS'];

/** The list operations whose model declares InvalidInputException. */
const LISTS_WITH_INVALID_INPUT = ['ListDatasets', 'ListDatasetImportJobs', 'ListEventTrackers'];

/** The request member that names the resource an operation is about, most specific first. */
const ARN_MEMBERS = ['resourceArn', 'eventTrackerArn', 'datasetImportJobArn', 'datasetArn', 'schemaArn', 'datasetGroupArn'];

export const PERSONALIZE_OPERATIONS = [
  'CreateDatasetGroup', 'DescribeDatasetGroup', 'DeleteDatasetGroup', 'ListDatasetGroups',
  'CreateSchema', 'DescribeSchema', 'DeleteSchema', 'ListSchemas',
  'CreateDataset', 'DescribeDataset', 'UpdateDataset', 'DeleteDataset', 'ListDatasets',
  'CreateDatasetImportJob', 'DescribeDatasetImportJob', 'ListDatasetImportJobs',
  'CreateEventTracker', 'DescribeEventTracker', 'DeleteEventTracker', 'ListEventTrackers',
  'TagResource', 'UntagResource', 'ListTagsForResource',
] as const;

function invalid(message: string): ApiError {
  return new ApiError('InvalidInputException', message);
}

function inUse(message: string): ApiError {
  return new ApiError('ResourceInUseException', message);
}

function notFound(arn: string): ApiError {
  return new ApiError('ResourceNotFoundException', `Resource Arn ${arn} does not exist.`);
}

export class PersonalizeService implements AuthorizingService {
  private readonly resources = new Map<string, Resource>();
  /**
   * The id a CreateEventTracker call's tracker gets, made when the call is first asked about: IAM
   * authorizes the create against the new tracker's ARN before the operation runs.
   */
  private readonly trackerIds = new WeakMap<CallContext['call'], string>();

  constructor(private readonly rt: Runtime) {}

  has(operation: string): boolean {
    return (PERSONALIZE_OPERATIONS as readonly string[]).includes(operation);
  }

  /** The resource a request is about, for fault matching and the call log. */
  target(operation: string, input: Input): Omit<FaultTarget, 'service'> {
    const name = input.name ?? input.jobName;
    if (operation.startsWith('Create') && typeof name === 'string') return { operation, name };
    const arn = ARN_MEMBERS.map((m) => input[m]).find((v) => typeof v === 'string');
    if (arn === undefined) return { operation };
    return { operation, arn, name: this.resources.get(arn)?.name ?? arn.substring(arn.lastIndexOf('/') + 1) };
  }

  handle(operation: string, input: Input, ctx: CallContext): unknown {
    switch (operation) {
      case 'CreateDatasetGroup': return this.createDatasetGroup(input, ctx);
      case 'DescribeDatasetGroup': return this.describe(input.datasetGroupArn, 'dataset-group', ctx);
      case 'DeleteDatasetGroup': return this.deleteDatasetGroup(input);
      case 'ListDatasetGroups': return this.list(operation, input, 'datasetGroups', this.all('dataset-group'));
      case 'CreateSchema': return this.createSchema(input, ctx);
      case 'DescribeSchema': return this.describe(input.schemaArn, 'schema', ctx);
      case 'DeleteSchema': return this.deleteSchema(input);
      case 'ListSchemas': return this.list(operation, input, 'schemas', this.all('schema'));
      case 'CreateDataset': return this.createDataset(input, ctx);
      case 'DescribeDataset': return this.describe(input.datasetArn, 'dataset', ctx);
      case 'UpdateDataset': return this.updateDataset(input);
      case 'DeleteDataset': return this.deleteDataset(input);
      case 'ListDatasets': return this.list(operation, input, 'datasets',
        this.all('dataset').filter((d) => !input.datasetGroupArn || d.datasetGroupArn === input.datasetGroupArn));
      case 'CreateDatasetImportJob': return this.createImportJob(input, ctx);
      case 'DescribeDatasetImportJob': return this.describe(input.datasetImportJobArn, 'dataset-import-job', ctx);
      case 'ListDatasetImportJobs': return this.list(operation, input, 'datasetImportJobs',
        this.all('dataset-import-job').filter((j) => !input.datasetArn || j.datasetArn === input.datasetArn));
      case 'CreateEventTracker': return this.createEventTracker(input, ctx);
      case 'DescribeEventTracker': return this.describe(input.eventTrackerArn, 'event-tracker', ctx);
      case 'DeleteEventTracker': return this.deleteEventTracker(input);
      case 'ListEventTrackers': return this.list(operation, input, 'eventTrackers',
        this.all('event-tracker').filter((t) => !input.datasetGroupArn || t.datasetGroupArn === input.datasetGroupArn));
      case 'TagResource': return this.tagResource(input);
      case 'UntagResource': return this.untagResource(input);
      case 'ListTagsForResource': return { tags: this.get(input.resourceArn).tags };
      default: throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  reset(): void {
    this.resources.clear();
  }

  /**
   * The IAM requests of a call (Service Authorization Reference, Amazon Personalize): each action on
   * the resources it is authorized against; a create on the new resource's ARN and, for a dataset,
   * an import job or an event tracker, on its parent too (the reference marks both required);
   * iam:PassRole for a role handed to Personalize; tags as aws:RequestTag/<key> and aws:TagKeys; an
   * existing resource's tags as aws:ResourceTag/<key>.
   * Inputs that cannot name a resource fail here with the error the operation would give.
   */
  authorization(operation: string, input: Input, ctx: CallContext): IamRequest[] {
    const action = `personalize:${operation}`;
    const on = (resource: string, context: Record<string, string | string[]> = {}): IamRequest =>
      ({ action, resource, context: { ...this.resourceTags(resource), ...context } });
    const tags = () => requestTagContext(tagMap(this.checkTags(input.tags)));
    switch (operation) {
      case 'CreateDatasetGroup':
        return [
          on(this.arn(ctx, 'dataset-group', this.checkName(input.name, 'name')), tags()),
          ...this.passRole(input.roleArn),
        ];
      case 'CreateSchema':
        return [on(this.arn(ctx, 'schema', this.checkName(input.name, 'name')))];
      case 'CreateDataset': {
        this.checkName(input.name, 'name');
        const datasetType = this.checkDatasetType(input.datasetType);
        const group = this.arnOf(input.datasetGroupArn, 'dataset-group');
        const groupName = group.substring(group.indexOf(':dataset-group/') + ':dataset-group/'.length);
        return [on(this.arn(ctx, 'dataset', `${groupName}/${datasetType}`), tags()), on(group, tags())];
      }
      case 'CreateDatasetImportJob': {
        const job = this.arn(ctx, 'dataset-import-job', this.checkName(input.jobName, 'jobName'));
        const dataset = this.arnOf(input.datasetArn, 'dataset');
        return [on(job, tags()), on(dataset, tags()), ...this.passRole(input.roleArn, true)];
      }
      case 'CreateEventTracker': {
        this.checkName(input.name, 'name');
        const group = this.arnOf(input.datasetGroupArn, 'dataset-group');
        const tracker = this.arn(ctx, 'event-tracker', this.trackerIdOf(ctx));
        return [on(tracker, tags()), on(group, tags())];
      }
      case 'DescribeDatasetGroup':
      case 'DeleteDatasetGroup':
        return [on(this.arnOf(input.datasetGroupArn, 'dataset-group'))];
      case 'DescribeSchema':
      case 'DeleteSchema':
        return [on(this.arnOf(input.schemaArn, 'schema'))];
      case 'DescribeDataset':
      case 'UpdateDataset':
      case 'DeleteDataset':
        return [on(this.arnOf(input.datasetArn, 'dataset'))];
      case 'DescribeDatasetImportJob':
        return [on(this.arnOf(input.datasetImportJobArn, 'dataset-import-job'))];
      case 'DescribeEventTracker':
      case 'DeleteEventTracker':
        return [on(this.arnOf(input.eventTrackerArn, 'event-tracker'))];
      case 'ListDatasetGroups':
      case 'ListSchemas':
      case 'ListDatasets':
      case 'ListDatasetImportJobs':
      case 'ListEventTrackers':
        return [{ action, resource: '*' }];
      case 'TagResource':
        return [on(this.arnOf(input.resourceArn), tags())];
      case 'UntagResource':
        return [on(this.arnOf(input.resourceArn), Array.isArray(input.tagKeys) ? { 'aws:TagKeys': input.tagKeys.map(String) } : {})];
      case 'ListTagsForResource':
        return [on(this.arnOf(input.resourceArn))];
      default: throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  /** iam:PassRole for a role the request hands to Personalize (required: the import job's role). */
  private passRole(roleArn: unknown, required = false): IamRequest[] {
    if (roleArn === undefined && !required) return [];
    if (typeof roleArn !== 'string' || roleArn.length > 256 || !ROLE_ARN.test(roleArn)) {
      throw invalid(`Invalid roleArn ${roleArn}: must match arn:([a-z\\d-]+):iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`);
    }
    return [{ action: 'iam:PassRole', resource: roleArn, context: { 'iam:PassedToService': SERVICE_PRINCIPAL } }];
  }

  /** A request's ARN member, checked as the operation checks it (format; for a kind, its type). */
  private arnOf(arn: unknown, kind?: Resource['kind']): string {
    if (typeof arn !== 'string' || arn.length > 256 || !ARN.test(arn)) {
      throw invalid(`Invalid ARN ${arn}: must match arn:([a-z\\d-]+):personalize:.*:.*:.+`);
    }
    if (kind && !arn.includes(`:${kind}/`)) throw notFound(arn);
    return arn;
  }

  private resourceTags(arn: string): Record<string, string> {
    const resource = this.resources.get(arn);
    return resource ? resourceTagContext(tagMap(resource.tags)) : {};
  }

  // ---- dataset groups ----

  private createDatasetGroup(input: Input, ctx: CallContext) {
    const name = this.checkName(input.name, 'name');
    if (input.domain !== undefined && !DOMAINS.includes(input.domain)) {
      throw invalid(`Invalid domain ${input.domain}: must be one of ${DOMAINS.join(', ')}.`);
    }
    if (input.kmsKeyArn !== undefined && input.roleArn === undefined) {
      throw invalid('A roleArn is required when a kmsKeyArn is given.');
    }
    const tags = this.checkTags(input.tags);
    const arn = this.arn(ctx, 'dataset-group', name);
    if (this.resources.has(arn)) throw new ApiError('ResourceAlreadyExistsException', `Dataset group ${name} already exists.`);
    this.checkLimit('dataset-group', this.rt.limits.datasetGroups);
    const group: DatasetGroup = {
      kind: 'dataset-group',
      arn,
      name,
      ...this.fresh(tags),
      domain: input.domain,
      roleArn: input.roleArn,
      kmsKeyArn: input.kmsKeyArn,
    };
    this.add(group);
    this.startCreate(group, 'CreateDatasetGroup');
    return { datasetGroupArn: arn, domain: group.domain };
  }

  private deleteDatasetGroup(input: Input) {
    const group = this.get(input.datasetGroupArn, 'dataset-group');
    this.refuseIfBusy(group, 'DeleteDatasetGroup');
    const datasets = this.all('dataset').filter((d) => d.datasetGroupArn === group.arn);
    if (datasets.length > 0) {
      throw inUse(`Dataset group ${group.arn} still has datasets: ${datasets.map((d) => d.arn).join(', ')}. Delete them first.`);
    }
    // A tracker being deleted still holds the group until it is gone.
    const trackers = this.all('event-tracker').filter((t) => t.datasetGroupArn === group.arn);
    if (trackers.length > 0) {
      throw inUse(`Dataset group ${group.arn} still has an event tracker: ${trackers.map((t) => t.arn).join(', ')}. Delete it first.`);
    }
    this.startDelete(group, 'DeleteDatasetGroup');
    return {};
  }

  // ---- schemas (synchronous: no status) ----

  private createSchema(input: Input, ctx: CallContext) {
    const name = this.checkName(input.name, 'name');
    if (input.domain !== undefined && !DOMAINS.includes(input.domain)) {
      throw invalid(`Invalid domain ${input.domain}: must be one of ${DOMAINS.join(', ')}.`);
    }
    checkAvroSchema(input.schema);
    const arn = this.arn(ctx, 'schema', name);
    if (this.resources.has(arn)) throw new ApiError('ResourceAlreadyExistsException', `Schema ${name} already exists.`);
    this.checkLimit('schema', this.rt.limits.schemas);
    const schema: Schema = { kind: 'schema', arn, name, ...this.fresh([]), status: 'ACTIVE', schema: input.schema, domain: input.domain };
    this.add(schema);
    return { schemaArn: arn };
  }

  private deleteSchema(input: Input) {
    const schema = this.get(input.schemaArn, 'schema');
    this.refuseIfFaulted(schema, 'DeleteSchema');
    // A dataset uses its schema, and the one an update still in progress moves it to; a failed update
    // left it on its old schema and holds the new one no more.
    const updatingTo = (d: Dataset) => d.latestUpdate?.schemaArn === schema.arn && !['ACTIVE', 'UPDATE FAILED'].includes(d.latestUpdate.status);
    const users = this.all('dataset').filter((d) => d.schemaArn === schema.arn || updatingTo(d));
    if (users.length > 0) throw inUse(`Schema ${schema.arn} is used by ${users.map((d) => d.arn).join(', ')}.`);
    this.remove(schema);
    return {};
  }

  // ---- datasets ----

  private createDataset(input: Input, ctx: CallContext) {
    const name = this.checkName(input.name, 'name');
    const datasetType = this.checkDatasetType(input.datasetType);
    const tags = this.checkTags(input.tags);
    const group = this.get(input.datasetGroupArn, 'dataset-group');
    const schema = this.get(input.schemaArn, 'schema');
    if (group.status !== 'ACTIVE') throw inUse(`Dataset group ${group.arn} is ${group.status}, not ACTIVE.`);
    this.checkDomain(schema, group);
    const siblings = this.all('dataset').filter((d) => d.datasetGroupArn === group.arn);
    if (siblings.some((d) => d.datasetType === datasetType)) {
      throw new ApiError('ResourceAlreadyExistsException', `Dataset group ${group.arn} already has a ${datasetType} dataset.`);
    }
    if (siblings.some((d) => d.name === name)) {
      throw new ApiError('ResourceAlreadyExistsException', `Dataset ${name} already exists in dataset group ${group.name}.`);
    }
    const arn = this.arn(ctx, 'dataset', `${group.name}/${datasetType}`);
    const dataset: Dataset = {
      kind: 'dataset', arn, name, ...this.fresh(tags), datasetGroupArn: group.arn, datasetType, schemaArn: schema.arn,
    };
    this.add(dataset);
    this.startCreate(dataset, 'CreateDataset');
    return { datasetArn: arn };
  }

  private updateDataset(input: Input) {
    const dataset = this.get(input.datasetArn, 'dataset');
    const schema = this.get(input.schemaArn, 'schema');
    if (!UPDATABLE_TYPES.includes(dataset.datasetType)) {
      throw invalid(`Only Items and Users datasets can be updated; ${dataset.arn} is a ${dataset.datasetType} dataset.`);
    }
    if (dataset.status !== 'ACTIVE') throw inUse(`Dataset ${dataset.arn} is ${dataset.status}, not ACTIVE.`);
    const running = dataset.latestUpdate && !['ACTIVE', 'UPDATE FAILED'].includes(dataset.latestUpdate.status);
    if (running) throw inUse(`Dataset ${dataset.arn} has an update in progress (${dataset.latestUpdate!.status}).`);
    this.checkDomain(schema, this.resources.get(dataset.datasetGroupArn) as DatasetGroup);

    const target = this.faultTarget('UpdateDataset', dataset);
    const failure = this.rt.faults.take(['fail'], target);
    const delay = stepDelay(this.rt, 'personalize', 'UpdateDataset', dataset.name, dataset.arn);
    const now = this.rt.now();
    const update: DatasetUpdate = { schemaArn: schema.arn, status: 'UPDATE PENDING', createdAt: now, updatedAt: now };
    dataset.latestUpdate = update;
    this.rt.inspector.setStatus(dataset.arn, update.status);
    const step = (status: string, failureReason?: string) => {
      if (this.resources.get(dataset.arn) !== dataset || dataset.latestUpdate !== update) return;
      update.status = status;
      update.failureReason = failureReason;
      update.updatedAt = this.rt.now();
      if (status === 'ACTIVE') dataset.schemaArn = update.schemaArn;
      this.rt.inspector.setStatus(dataset.arn, status, failureReason);
    };
    this.rt.scheduler.chain(delay, [
      () => step('UPDATE IN_PROGRESS'),
      () => (failure ? step('UPDATE FAILED', failure.spec.reason ?? 'Emulated update failure') : step('ACTIVE')),
    ]);
    return { datasetArn: dataset.arn };
  }

  private deleteDataset(input: Input) {
    const dataset = this.get(input.datasetArn, 'dataset');
    this.refuseIfBusy(dataset, 'DeleteDataset');
    const update = dataset.latestUpdate;
    if (update && !['ACTIVE', 'UPDATE FAILED'].includes(update.status)) {
      throw inUse(`Dataset ${dataset.arn} has an update in progress (${update.status}).`);
    }
    const jobs = this.all('dataset-import-job').filter((j) => j.datasetArn === dataset.arn && CREATING.includes(j.status));
    if (jobs.length > 0) throw inUse(`Dataset ${dataset.arn} has a dataset import job in progress: ${jobs[0].arn}.`);
    this.startDelete(dataset, 'DeleteDataset');
    return {};
  }

  // ---- dataset import jobs ----

  private createImportJob(input: Input, ctx: CallContext) {
    const name = this.checkName(input.jobName, 'jobName');
    const dataLocation = input.dataSource?.dataLocation;
    if (typeof dataLocation !== 'string' || !dataLocation.startsWith('s3://')) {
      throw invalid(`Invalid dataSource.dataLocation ${dataLocation}: must be an s3:// location.`);
    }
    const importMode = input.importMode ?? 'FULL';
    if (!['FULL', 'INCREMENTAL'].includes(importMode)) throw invalid(`Invalid importMode ${importMode}.`);
    const tags = this.checkTags(input.tags);
    const dataset = this.get(input.datasetArn, 'dataset');
    if (dataset.status !== 'ACTIVE') throw inUse(`Dataset ${dataset.arn} is ${dataset.status}, not ACTIVE.`);
    const arn = this.arn(ctx, 'dataset-import-job', name);
    if (this.resources.has(arn)) throw new ApiError('ResourceAlreadyExistsException', `Dataset import job ${name} already exists.`);
    const job: ImportJob = {
      kind: 'dataset-import-job',
      arn,
      name,
      ...this.fresh(tags),
      datasetArn: dataset.arn,
      dataLocation,
      roleArn: input.roleArn,
      importMode,
      publishAttributionMetricsToS3: input.publishAttributionMetricsToS3,
    };
    this.add(job);
    this.startCreate(job, 'CreateDatasetImportJob');
    return { datasetImportJobArn: arn };
  }

  // ---- event trackers ----

  /**
   * Checked in this order: the request, the group, the name, the group's status, then the group's
   * one tracker. The name comes before the one-per-group rule so that a create retried after its
   * answer was lost meets its own tracker as a taken name (ResourceAlreadyExistsException), which
   * a caller can recognise as its own, rather than as the group's quota.
   */
  private createEventTracker(input: Input, ctx: CallContext) {
    const name = this.checkName(input.name, 'name');
    const tags = this.checkTags(input.tags);
    const group = this.get(input.datasetGroupArn, 'dataset-group');
    const taken = this.all('event-tracker').find((t) => t.name === name && regionOf(t.arn) === ctx.region);
    if (taken) throw new ApiError('ResourceAlreadyExistsException', `Event tracker ${name} already exists: ${taken.arn}.`);
    if (group.status !== 'ACTIVE') throw inUse(`Dataset group ${group.arn} is ${group.status}, not ACTIVE.`);
    const held = this.all('event-tracker').find((t) => t.datasetGroupArn === group.arn);
    if (held) {
      // The API reference says only that a second tracker in a group is "an error"; the quotas
      // page lists event trackers per dataset group (1) as a quota, and Personalize answers its
      // resource quotas with LimitExceededException. ResourceAlreadyExistsException is its answer
      // to a taken name, which this is not.
      throw new ApiError('LimitExceededException',
        `Dataset group ${group.arn} already has an event tracker (${held.arn}); a dataset group can have at most 1 event tracker.`);
    }
    const arn = this.arn(ctx, 'event-tracker', this.trackerIdOf(ctx));
    const tracker: EventTracker = {
      kind: 'event-tracker', arn, name, ...this.fresh(tags), datasetGroupArn: group.arn, trackingId: randomUUID(),
    };
    this.add(tracker);
    this.startCreate(tracker, 'CreateEventTracker');
    return { eventTrackerArn: arn, trackingId: tracker.trackingId };
  }

  private deleteEventTracker(input: Input) {
    const tracker = this.get(input.eventTrackerArn, 'event-tracker');
    this.refuseIfBusy(tracker, 'DeleteEventTracker');
    this.startDelete(tracker, 'DeleteEventTracker');
    return {};
  }

  /** The call's new tracker id: 8 hex digits, as the service makes them, unused in this account. */
  private trackerIdOf(ctx: CallContext): string {
    let id = this.trackerIds.get(ctx.call);
    while (id === undefined || this.all('event-tracker').some((t) => t.arn.endsWith(`:event-tracker/${id}`))) {
      id = randomBytes(4).toString('hex');
    }
    this.trackerIds.set(ctx.call, id);
    return id;
  }

  // ---- tags ----

  private tagResource(input: Input) {
    const resource = this.get(input.resourceArn);
    const added = this.checkTags(input.tags);
    const merged = new Map(resource.tags.map((t) => [t.tagKey, t.tagValue]));
    added.forEach((t) => merged.set(t.tagKey, t.tagValue));
    if (merged.size > MAX_TAGS) {
      throw new ApiError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags; this would make ${merged.size}.`);
    }
    resource.tags = [...merged].map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
    return {};
  }

  private untagResource(input: Input) {
    const resource = this.get(input.resourceArn);
    const keys: unknown = input.tagKeys;
    if (!Array.isArray(keys)) throw invalid('tagKeys is required.');
    if (keys.length > MAX_TAGS) throw new ApiError('TooManyTagKeysException', `At most ${MAX_TAGS} tag keys per request.`);
    resource.tags = resource.tags.filter((t) => !keys.includes(t.tagKey));
    return {};
  }

  // ---- reading ----

  private describe(arn: unknown, kind: Resource['kind'], ctx: CallContext) {
    const resource = this.get(arn, kind);
    ctx.call.observed = this.effectiveStatus(resource);
    switch (resource.kind) {
      case 'dataset-group': return { datasetGroup: this.datasetGroupView(resource) };
      case 'schema': return { schema: this.schemaView(resource) };
      case 'dataset': return { dataset: this.datasetView(resource) };
      case 'dataset-import-job': return { datasetImportJob: this.importJobView(resource) };
      case 'event-tracker': return { eventTracker: this.eventTrackerView(resource) };
    }
  }

  private datasetGroupView(g: DatasetGroup) {
    return {
      name: g.name,
      datasetGroupArn: g.arn,
      status: g.status,
      roleArn: g.roleArn,
      kmsKeyArn: g.kmsKeyArn,
      creationDateTime: seconds(g.createdAt),
      lastUpdatedDateTime: seconds(g.updatedAt),
      failureReason: g.failureReason,
      domain: g.domain,
    };
  }

  private schemaView(s: Schema) {
    return {
      name: s.name,
      schemaArn: s.arn,
      schema: s.schema,
      creationDateTime: seconds(s.createdAt),
      lastUpdatedDateTime: seconds(s.updatedAt),
      domain: s.domain,
    };
  }

  private datasetView(d: Dataset) {
    const u = d.latestUpdate;
    return {
      name: d.name,
      datasetArn: d.arn,
      datasetGroupArn: d.datasetGroupArn,
      datasetType: d.datasetType,
      schemaArn: d.schemaArn,
      status: d.status,
      creationDateTime: seconds(d.createdAt),
      lastUpdatedDateTime: seconds(d.updatedAt),
      latestDatasetUpdate: u && {
        schemaArn: u.schemaArn,
        status: u.status,
        failureReason: u.failureReason,
        creationDateTime: seconds(u.createdAt),
        lastUpdatedDateTime: seconds(u.updatedAt),
      },
    };
  }

  private importJobView(j: ImportJob) {
    return {
      jobName: j.name,
      datasetImportJobArn: j.arn,
      datasetArn: j.datasetArn,
      dataSource: { dataLocation: j.dataLocation },
      roleArn: j.roleArn,
      status: j.status,
      creationDateTime: seconds(j.createdAt),
      lastUpdatedDateTime: seconds(j.updatedAt),
      failureReason: j.failureReason,
      importMode: j.importMode,
      publishAttributionMetricsToS3: j.publishAttributionMetricsToS3,
    };
  }

  private eventTrackerView(t: EventTracker) {
    return {
      name: t.name,
      eventTrackerArn: t.arn,
      accountId: this.rt.account,
      trackingId: t.trackingId,
      datasetGroupArn: t.datasetGroupArn,
      status: t.status,
      creationDateTime: seconds(t.createdAt),
      lastUpdatedDateTime: seconds(t.updatedAt),
    };
  }

  /** List operations: summaries in creation order, paged with maxResults (1-100) and nextToken. */
  private list(operation: string, input: Input, member: string, items: Resource[]) {
    const maxResults = input.maxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      const message = `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: `
        + 'Member must have value between 1 and 100';
      // ListDatasetGroups and ListSchemas declare no InvalidInputException: a constraint violation is the common ValidationException.
      throw LISTS_WITH_INVALID_INPUT.includes(operation) ? invalid(message) : new ApiError('ValidationException', message);
    }
    let offset = 0;
    if (input.nextToken !== undefined) {
      const token = decodeToken(String(input.nextToken));
      if (!token || token.op !== operation || !Number.isInteger(token.offset)) {
        throw new ApiError('InvalidNextTokenException', 'The nextToken is not valid.');
      }
      offset = token.offset as number;
    }
    const page = items.slice(offset, offset + maxResults);
    const nextToken = offset + maxResults < items.length ? encodeToken({ op: operation, offset: offset + maxResults }) : undefined;
    return { [member]: page.map((r) => this.summary(r)), nextToken };
  }

  private summary(r: Resource) {
    const times = { creationDateTime: seconds(r.createdAt), lastUpdatedDateTime: seconds(r.updatedAt) };
    switch (r.kind) {
      case 'dataset-group':
        return { name: r.name, datasetGroupArn: r.arn, status: r.status, ...times, failureReason: r.failureReason, domain: r.domain };
      case 'schema':
        return { name: r.name, schemaArn: r.arn, ...times, domain: r.domain };
      case 'dataset':
        return { name: r.name, datasetArn: r.arn, datasetType: r.datasetType, status: r.status, ...times };
      case 'dataset-import-job':
        return {
          datasetImportJobArn: r.arn, jobName: r.name, status: r.status, ...times, failureReason: r.failureReason, importMode: r.importMode,
        };
      case 'event-tracker':
        return { name: r.name, eventTrackerArn: r.arn, status: r.status, ...times };
    }
  }

  // ---- transitions ----

  private startCreate(resource: DatasetGroup | Dataset | ImportJob | EventTracker, operation: string): void {
    const failure = this.rt.faults.take(['fail'], this.faultTarget(operation, resource));
    const delay = stepDelay(this.rt, 'personalize', operation, resource.name, resource.arn);
    this.rt.scheduler.chain(delay, [
      () => this.setStatus(resource, 'CREATE IN_PROGRESS'),
      () => (failure
        ? this.setStatus(resource, 'CREATE FAILED', failure.spec.reason ?? 'Emulated creation failure')
        : this.setStatus(resource, 'ACTIVE')),
    ]);
  }

  /** DELETE PENDING > DELETE IN_PROGRESS > gone; a stuck-delete fault parks it at DELETE PENDING. */
  private startDelete(resource: Deletable, operation: string): void {
    const target = this.faultTarget(operation, resource);
    const stuck = this.rt.faults.take(['stuck-delete'], target);
    const delay = stepDelay(this.rt, 'personalize', operation, resource.name, resource.arn);
    this.setStatus(resource, 'DELETE PENDING');
    const proceed = () => this.rt.scheduler.chain(delay, [
      () => this.setStatus(resource, 'DELETE IN_PROGRESS'),
      () => this.resources.get(resource.arn) === resource && this.remove(resource),
    ]);
    if (stuck) this.rt.scheduler.hold(stuck.id, resource.arn, resource.name, proceed);
    else proceed();
  }

  private setStatus(resource: Resource, status: string, failureReason?: string): void {
    if (this.resources.get(resource.arn) !== resource) return; // deleted or reset meanwhile
    resource.status = status;
    resource.failureReason = failureReason;
    resource.updatedAt = this.rt.now();
    this.rt.inspector.setStatus(resource.arn, this.effectiveStatus(resource), failureReason);
  }

  /** The status that matters for the lifecycle: an update under way or failed shows through. */
  private effectiveStatus(resource: Resource): string {
    if (resource.kind === 'schema') return 'ACTIVE';
    const update = resource.kind === 'dataset' ? resource.latestUpdate : undefined;
    return resource.status === 'ACTIVE' && update ? update.status : resource.status;
  }

  /** Resources still being created or already being deleted cannot be deleted. */
  private refuseIfBusy(resource: Deletable, operation: string): void {
    this.refuseIfFaulted(resource, operation);
    if (CREATING.includes(resource.status) || resource.status.startsWith('DELETE')) {
      throw inUse(`${resource.arn} is ${resource.status}.`);
    }
  }

  private refuseIfFaulted(resource: Resource, operation: string): void {
    const fault = this.rt.faults.take(['in-use'], this.faultTarget(operation, resource));
    if (fault) throw inUse(`${resource.arn} is in use${fault.spec.reason ? `: ${fault.spec.reason}` : '.'}`);
  }

  // ---- helpers ----

  private faultTarget(operation: string, resource: Resource): FaultTarget {
    return { service: 'personalize', operation, name: resource.name, arn: resource.arn };
  }

  private arn(ctx: CallContext, type: string, name: string): string {
    return `arn:aws:personalize:${ctx.region}:${this.rt.account}:${type}/${name}`;
  }

  private fresh(tags: Tag[]) {
    const now = this.rt.now();
    return { status: 'CREATE PENDING', createdAt: now, updatedAt: now, tags };
  }

  private add(resource: Resource): void {
    this.resources.set(resource.arn, resource);
    this.rt.inspector.track('personalize', resource.kind, resource.arn, resource.arn, resource.name, resource.status, resource.createdAt);
  }

  private remove(resource: Resource): void {
    this.resources.delete(resource.arn);
    this.rt.inspector.gone(resource.arn);
    if (resource.kind === 'dataset') {
      // A dataset's import jobs go with it.
      this.all('dataset-import-job').filter((j) => j.datasetArn === resource.arn).forEach((j) => this.remove(j));
    }
  }

  private all<K extends Resource['kind']>(kind: K): Extract<Resource, { kind: K }>[] {
    return [...this.resources.values()].filter((r): r is Extract<Resource, { kind: K }> => r.kind === kind);
  }

  private get<K extends Resource['kind']>(arn: unknown, kind?: K): Extract<Resource, { kind: K }> {
    const resource = this.resources.get(this.arnOf(arn));
    if (!resource || (kind && resource.kind !== kind)) throw notFound(arn as string);
    return resource as Extract<Resource, { kind: K }>;
  }

  private checkName(name: unknown, member: string): string {
    if (typeof name !== 'string' || name.length < 1 || name.length > 63 || !NAME.test(name)) {
      throw invalid(`1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: ` +
        'Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]* and have length between 1 and 63');
    }
    return name;
  }

  private checkDatasetType(value: unknown): string {
    const datasetType = String(value ?? '').toUpperCase();
    if (!DATASET_TYPES.includes(datasetType)) {
      throw invalid(`Invalid datasetType ${value}: must be one of Interactions, Items, Users, Actions, Action_Interactions.`);
    }
    return datasetType;
  }

  private checkTags(tags: unknown): Tag[] {
    if (tags === undefined) return [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t?.tagKey !== 'string' || typeof t?.tagValue !== 'string')) {
      throw invalid('Each tag needs a tagKey and a tagValue.');
    }
    if (tags.length > MAX_TAGS) throw new ApiError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags; ${tags.length} given.`);
    return tags.map((t) => ({ tagKey: t.tagKey, tagValue: t.tagValue }));
  }

  /** A domain dataset group takes schemas of its domain; a custom group takes schemas without one. */
  private checkDomain(schema: Schema, group: DatasetGroup): void {
    if ((schema.domain ?? null) !== (group.domain ?? null)) {
      throw invalid(`The schema's domain (${schema.domain ?? 'none'}) does not match the dataset group's domain (${group.domain ?? 'none'}).`);
    }
  }

  private checkLimit(kind: 'dataset-group' | 'schema', limit: number | undefined): void {
    if (limit !== undefined && this.all(kind).length >= limit) {
      throw new ApiError('LimitExceededException', `The limit of ${limit} ${kind}s has been reached.`);
    }
  }
}

/** The region of a Personalize ARN. */
function regionOf(arn: string): string {
  return arn.split(':')[3];
}

function tagMap(tags: Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.tagKey, t.tagValue]));
}

/** A schema must be an Avro record schema in JSON: `{"type": "record", "fields": [...]}`. */
function checkAvroSchema(schema: unknown): void {
  let parsed: any;
  try {
    parsed = typeof schema === 'string' ? JSON.parse(schema) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.type !== 'record' || !Array.isArray(parsed.fields)) {
    throw invalid('The schema is not a valid Avro record schema: it needs "type": "record" and a "fields" list.');
  }
}
