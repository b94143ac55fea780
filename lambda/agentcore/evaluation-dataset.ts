/**
 * AgentCore evaluation datasets (bedrock-agentcore-control 2023-06-05).
 *
 * Create     CreateDataset with a clientToken derived from the request (a retried request sends the
 *            same token, so the service answers with the dataset it already made), the first batch
 *            of inline examples or the S3 URI (the service reads the file), the KMS key and the tags.
 *            The core waits for ACTIVE; the follow-up below adds the rest of a large inline set.
 * Update     the name, schema type and key are immutable: a change replaces the dataset (and a
 *            rename that only changes case is refused, as names are unique regardless of case).
 *            Tags change in place; everything else is brought to the request by the follow-up.
 * Follow-up  runs on every poll once the dataset is ACTIVE. Each example write makes the dataset
 *            UPDATING until it is applied, so one write is issued per poll:
 *   1. a changed description: UpdateDataset.
 *   2. the examples: inline ones, or (when an update changes the S3 source) those of the file, which
 *      the handler reads with the same access the service reads it with. The DRAFT
 *      (ListDatasetExamples) is compared with them; changed ones are updated in place, extra ones
 *      deleted, missing ones added, in calls of at most 1000 examples and 4 MiB. Every step is
 *      decided from what the service lists, so a retried or interrupted poll picks up where the last
 *      one left off; a write that leaves the listing as it was is not sent again (the example that
 *      does not converge is named).
 *   3. a DRAFT with unpublished changes: CreateDatasetVersion. Done once the DRAFT is UNMODIFIED,
 *      with the newest version as the DatasetVersion attribute.
 *   A dataset UPDATE_FAILED by an earlier request (the one CloudFormation rolls back) is brought to
 *   this request's examples, which is allowed in that state, and then published; one failed by this
 *   request's own write fails it with the service's reason.
 * Delete     DeleteDataset. DATASET_NOT_READY (still creating or updating) is waited for and the
 *            delete issued again, DELETE_FAILED is retried, REFERENCED_BY_EVAL_JOB fails with what
 *            to do. Gone counts as done.
 */
import type {
  DatasetSchemaType, DataSourceType, GetDatasetCommandOutput, UpdateDatasetExamplesCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { agentcore, clientToken, datasetIdOf, datasetTagging, isDatasetArn, lifecycleState } from './common';
import {
  batches, Example, FIRST_PAGE_SIZE, isObject, isPageTooLarge, ListedExample, listedExample, pageSizeAfter,
  parseJsonl, planExamples,
} from './examples';
import {
  AddDatasetExamplesCommand, CreateDatasetCommand, CreateDatasetVersionCommand, DeleteDatasetCommand,
  DeleteDatasetExamplesCommand, GetDatasetCommand, ListDatasetExamplesCommand, ListDatasetsCommand,
  ListDatasetVersionsCommand, UpdateDatasetCommand, UpdateDatasetExamplesCommand,
} from './sdk.deferred';
import type { Properties } from '../../src/contract';
import type { FollowUpRequest, Progress, ResourceAdapter } from '../core/adapter';
import { asSentence, classifyError, describeError, LifecycleError } from '../core/errors';
import type { RequestContext } from '../core/naming';
import { findInPages } from '../core/paging';
import { replacingOrRefuse } from '../core/replacement';
import { objects, parseS3Uri } from '../objects';
import { RULES } from '../rules';

type DatasetProperties = Properties<'EvaluationDataset'>;

/** The error delete() throws for a dataset an evaluation job still uses; it fails the operation. */
const IN_USE_BY_EVALUATION_JOB = 'DatasetInUseByEvaluationJob';
/** The error delete() throws for a conflict it cannot name: a state guard, waited out. */
const DELETE_NOT_READY = 'DatasetNotReadyForDeletion';

/** An S3 source file is read whole by the handler: at most this much. */
const MAX_SOURCE_FILE_BYTES = 25 * 1024 * 1024;

/** Examples as the SDK types them (JSON documents). */
type Documents = NonNullable<UpdateDatasetExamplesCommandInput['examples']>;

/**
 * The last example write each request sent (in this container). A write that would be sent again
 * with the same content did not change what the service lists: the examples do not converge.
 */
const lastWrites = new Map<string, string>();
const MAX_REMEMBERED_WRITES = 1_000;

export const evaluationDatasetAdapter: ResourceAdapter<'EvaluationDataset'> = {
  resource: 'EvaluationDataset',
  description: RULES.EvaluationDataset.description,
  isPhysicalId: isDatasetArn,
  attributesOf: (datasetArn) => ({ EvaluationDatasetArn: datasetArn, EvaluationDatasetId: datasetIdOf(datasetArn) }),

  replacedBy: (change) => replacingOrRefuse(RULES.EvaluationDataset.decide(change)),

  async create({ context, properties, name, tags }) {
    const source: DataSourceType = properties.S3Uri !== undefined
      ? { s3Source: { s3Uri: properties.S3Uri } }
      // The rest of a large inline set follows in the follow-up.
      : { inlineExamples: { examples: (batches(inlineExamples(properties))[0] ?? []) as Documents } };
    const response = await agentcore().send(new CreateDatasetCommand({
      clientToken: clientToken(context, 'CreateDataset'),
      datasetName: name,
      description: properties.Description,
      schemaType: properties.SchemaType as DatasetSchemaType,
      kmsKeyArn: properties.KmsKeyArn,
      source,
      tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    }));
    return response.datasetArn!;
  },

  async describe(datasetArn) {
    const dataset = await getDataset(datasetArn);
    const status = dataset.status ?? 'UNKNOWN';
    return {
      // UPDATE_FAILED leaves the dataset usable: the follow-up decides whose failure it was.
      state: status === 'UPDATE_FAILED' ? 'ready' : lifecycleState(status),
      status,
      failureReason: dataset.failureReason,
      attributes: {
        EvaluationDatasetArn: datasetArn,
        EvaluationDatasetId: datasetIdOf(datasetArn),
        EvaluationDatasetName: dataset.datasetName ?? '',
      },
      description: dataset,
    };
  },

  async delete(datasetArn) {
    try {
      await agentcore().send(new DeleteDatasetCommand({ datasetId: datasetIdOf(datasetArn) }));
    } catch (error) {
      const e = error as Error;
      if (e.name !== 'ConflictException') throw error;
      if (/\bREFERENCED_BY_EVAL_JOB\b|evaluation job/i.test(e.message)) {
        throw Object.assign(new Error('the dataset is used by an active evaluation job, and AgentCore refuses to delete it ' +
          `(${e.message}). Stop the evaluation job or wait for it to end, then retry; to keep the dataset instead, ` +
          'give it removalPolicy RETAIN.'), { name: IN_USE_BY_EVALUATION_JOB });
      }
      if (/\bDATASET_IN_FAILED_STATE\b/.test(e.message)) throw error;
      // DATASET_NOT_READY, or a guard the message does not name: wait, then ask again.
      throw Object.assign(new Error(e.message), { name: DELETE_NOT_READY });
    }
  },

  /**
   * ConflictException carries only a message; the API reference names the state guards in it:
   * DATASET_NOT_READY (CREATING, UPDATING or DELETING: wait), DATASET_IN_FAILED_STATE and
   * REFERENCED_BY_EVAL_JOB (fail); on CreateDataset, a name that is taken. Any other conflict fails,
   * with the service's words (a delete waits it out: see delete()).
   */
  classifyError(error) {
    const { name, message = '' } = (error ?? {}) as { name?: string; message?: string };
    if (name === DELETE_NOT_READY) return 'not-ready';
    if (name === IN_USE_BY_EVALUATION_JOB) return 'fatal';
    if (name !== 'ConflictException') return undefined;
    if (/\bDATASET_NOT_READY\b/.test(message)) return 'not-ready';
    if (/\b(REFERENCED_BY_EVAL_JOB|DATASET_IN_FAILED_STATE)\b/.test(message)) return 'fatal';
    if (/already exists/i.test(message)) return 'already-exists';
    return 'fatal';
  },

  capabilities: {
    tagging: datasetTagging,
    // The description and examples are brought to the request by the follow-up, which runs for
    // every Create and Update: nothing else changes in place.
    update: {
      async apply() {
        return { done: true };
      },
    },
    followUp: {
      run: followUp,
    },
    // Dataset ARNs end in a generated id, so the holder of a taken name is looked up by name.
    adoption: {
      async findExisting({ name }) {
        const found = await findInPages((nextToken) => agentcore().send(new ListDatasetsCommand({ nextToken })),
          (page) => page.datasets, (d) => d.datasetName?.toLowerCase() === name.toLowerCase() && Boolean(d.datasetArn));
        return found && { physicalId: found.datasetArn! };
      },
    },
    currentValues: {
      async read(datasetArn) {
        const dataset = await getDataset(datasetArn);
        return { DatasetName: dataset.datasetName, SchemaType: dataset.schemaType, KmsKeyArn: dataset.kmsKeyArn };
      },
    },
  },
};

async function followUp(request: FollowUpRequest<DatasetProperties>): Promise<Progress> {
  const { context, physicalId, properties, observation, waitStartedAt } = request;
  const datasetId = datasetIdOf(physicalId);
  const dataset = observation.description as GetDatasetCommandOutput;
  // This request writes only after its wait started (at its first poll, a query interval later); an
  // earlier request's failure is older than this request itself, since CloudFormation sends the
  // rollback only once that failure is reported. A margin either way would mistake one for the other.
  if (dataset.status === 'UPDATE_FAILED' && (dataset.updatedAt?.getTime() ?? 0) > waitStartedAt) {
    throw new LifecycleError(`AgentCore evaluation dataset ${physicalId} is UPDATE_FAILED: ${dataset.failureReason ?? 'the service gave no reason'}`);
  }

  // A dataset an earlier request left UPDATE_FAILED is repaired first (its examples, then a version,
  // which brings it back to ACTIVE). UpdateDataset would move updatedAt while it stays UPDATE_FAILED,
  // and the next poll would take that failure for this request's own.
  const failedEarlier = dataset.status === 'UPDATE_FAILED';
  const description = properties.Description ?? '';
  if (!failedEarlier && (dataset.description ?? '') !== description) {
    await agentcore().send(new UpdateDatasetCommand({
      datasetId, description, clientToken: clientToken(context, datasetId, 'UpdateDataset', description),
    }));
    return { done: false, status: 'updating the description' };
  }

  const wanted = await wantedExamples(request);
  if (wanted) {
    try {
      const pending = await syncExamples(context, datasetId, wanted);
      if (pending) return { done: false, status: pending };
    } catch (error) {
      // An example that was listed is gone by the time of the write: compare again on the next poll.
      if (classifyError(error) === 'not-found') return { done: false, status: `examples changed meanwhile (${describeError(error)})` };
      throw error;
    }
  }
  return publish(context, dataset);
}

/**
 * The examples the DRAFT must hold: the inline ones; or, when an update changes the S3 source, the
 * file's (on a create, the service reads the file itself). Undefined when there is nothing to compare.
 */
async function wantedExamples({ requestType, properties, oldProperties }: FollowUpRequest<DatasetProperties>): Promise<Example[] | undefined> {
  if (properties.S3Uri === undefined) return inlineExamples(properties);
  if (requestType === 'Create' || oldProperties?.S3Uri === properties.S3Uri) return undefined;
  const text = await objects().read(parseS3Uri(properties.S3Uri), MAX_SOURCE_FILE_BYTES);
  try {
    return parseJsonl(text, properties.S3Uri);
  } catch (error) {
    throw new LifecycleError(`AgentCore evaluation dataset: ${describeError(error)}`);
  }
}

/** Issues the next write that brings the DRAFT to the wanted examples; what it did, or undefined when they match. */
async function syncExamples(context: RequestContext, datasetId: string, wanted: Example[]): Promise<string | undefined> {
  const plan = planExamples(wanted, await listDraft(datasetId));
  const left = `${plan.updates.length} to update, ${plan.deletes.length} to delete, ${plan.adds.length} to add`;
  if (plan.updates.length > 0) {
    const batch = batches(plan.updates.map((u) => ({ ...u.content, exampleId: u.exampleId })))[0];
    await write(context, datasetId, 'UpdateDatasetExamples', batch, (token) => agentcore().send(new UpdateDatasetExamplesCommand({
      datasetId, examples: batch as Documents, clientToken: token,
    })));
    return `updating ${batch.length} examples (${left})`;
  }
  if (plan.deletes.length > 0) {
    const batch = batches(plan.deletes)[0];
    await write(context, datasetId, 'DeleteDatasetExamples', batch, (token) => agentcore().send(new DeleteDatasetExamplesCommand({
      datasetId, exampleIds: batch, clientToken: token,
    })));
    return `deleting ${batch.length} examples (${left})`;
  }
  if (plan.adds.length > 0) {
    const batch = batches(plan.adds)[0];
    await write(context, datasetId, 'AddDatasetExamples', batch, (token) => agentcore().send(new AddDatasetExamplesCommand({
      datasetId, source: { inlineExamples: { examples: batch as Documents } }, clientToken: token,
    })));
    return `adding ${batch.length} examples (${left})`;
  }
  return undefined;
}

/** Sends one example write, unless the very same write was sent already and changed nothing. */
async function write(context: RequestContext, datasetId: string, operation: string, batch: unknown[],
  send: (token: string) => Promise<unknown>): Promise<void> {
  const token = clientToken(context, datasetId, operation, JSON.stringify(batch));
  const key = `${context.requestId} ${datasetId}`;
  if (lastWrites.get(key) === token) {
    lastWrites.delete(key);
    throw new LifecycleError(`AgentCore evaluation dataset ${datasetId}: the examples do not converge. After ${operation} of ` +
      `${batch.length} example(s), ListDatasetExamples still lists them differently; the first is ` +
      `${JSON.stringify(batch[0]).slice(0, 300)}. The service may store an example differently from how it is written ` +
      '(defaults, number formats): write the examples as the service lists them.');
  }
  await send(token);
  if (lastWrites.size >= MAX_REMEMBERED_WRITES) lastWrites.delete(lastWrites.keys().next().value as string);
  lastWrites.set(key, token);
}

/** Every example of the DRAFT, a page at a time; a page too large for the service is asked again at half the size. */
async function listDraft(datasetId: string): Promise<ListedExample[]> {
  const listed: ListedExample[] = [];
  let size = FIRST_PAGE_SIZE;
  let nextToken: string | undefined;
  for (;;) {
    let page;
    try {
      page = await agentcore().send(new ListDatasetExamplesCommand({ datasetId, maxResults: size, nextToken }));
    } catch (error) {
      const smaller = isPageTooLarge(error) ? pageSizeAfter(size) : undefined;
      if (smaller === undefined) throw error;
      size = smaller; // the same page again, smaller
      continue;
    }
    listed.push(...(page.examples ?? []).map(listedExample));
    nextToken = page.nextToken;
    if (!nextToken) return listed;
  }
}

/**
 * Publishes the DRAFT when it has changes no version has (or the dataset is left UPDATE_FAILED by an
 * earlier request, which a version brings back to ACTIVE). The token is the request's, so a version
 * is published once per request however often this runs.
 */
async function publish(context: RequestContext, dataset: GetDatasetCommandOutput): Promise<Progress> {
  const datasetId = dataset.datasetId!;
  if (dataset.draftStatus !== 'MODIFIED' && dataset.status !== 'UPDATE_FAILED') {
    const { versions } = await agentcore().send(new ListDatasetVersionsCommand({ datasetId, maxResults: 1 }));
    const newest = versions?.[0]?.datasetVersion;
    if (newest !== undefined) return { done: true, attributes: { DatasetVersion: newest } };
  }
  try {
    const response = await agentcore().send(new CreateDatasetVersionCommand({
      datasetId, clientToken: clientToken(context, datasetId, 'CreateDatasetVersion'),
    }));
    return { done: false, status: `publishing version ${response.datasetVersion}` };
  } catch (error) {
    if ((error as Error).name === 'ServiceQuotaExceededException') {
      throw new LifecycleError(`AgentCore evaluation dataset ${datasetId}: a new version cannot be published: ${asSentence(describeError(error))} ` +
        'Every deployment that changes the examples publishes a version; delete old versions (DeleteDataset with a datasetVersion) ' +
        'or ask for a higher quota.');
    }
    throw error;
  }
}

async function getDataset(datasetArn: string): Promise<GetDatasetCommandOutput> {
  return agentcore().send(new GetDatasetCommand({ datasetId: datasetIdOf(datasetArn) }));
}

/** The wanted inline examples: a JSON array of objects. */
function inlineExamples(properties: DatasetProperties): Example[] {
  const examples = properties.InlineExamples;
  if (examples === undefined) {
    throw new LifecycleError('cdk-datasets: an AgentCore evaluation dataset needs InlineExamples (a JSON array) or S3Uri');
  }
  if (!Array.isArray(examples) || !examples.every(isObject)) {
    throw new LifecycleError('cdk-datasets: InlineExamples must be a JSON array of objects');
  }
  return examples;
}
