/**
 * AgentCore evaluation datasets (bedrock-agentcore-control 2023-06-05).
 *
 * Create     CreateDataset with a clientToken derived from the request (a retried request sends the
 *            same token, so the service answers with the dataset it already made), the first batch
 *            of inline examples or the S3 URI, the KMS key and the tags. The core waits for ACTIVE.
 * Update     the name, schema type and key are immutable: a change replaces the dataset (and a
 *            rename that only changes case is refused, as names are unique regardless of case).
 *            Everything else is brought to the new properties in place by reconcile, once the
 *            dataset is ACTIVE: the service refuses writes while it is CREATING or UPDATING.
 * Reconcile  called on every poll once the dataset is ACTIVE. Each example write makes the dataset
 *            UPDATING until it is applied, so one write is issued per poll:
 *   1. a changed description: UpdateDataset.
 *   2a. inline examples: the DRAFT (ListDatasetExamples) is compared with the wanted examples;
 *      changed ones are updated in place, extra ones deleted, missing ones added, in calls of at
 *      most 1000 examples and 4 MiB.
 *   2b. an S3 source: the handler cannot read the file, so a tag records which source the DRAFT
 *      holds (`<hash of the URI>`, or `<hash>:adding` while the add is under way). For another
 *      source, the DRAFT's examples are deleted a page at a time; once it is empty the tag becomes
 *      `:adding` and AddDatasetExamples reads the file; once examples are there the tag becomes
 *      `<hash>`. Every step is decided from what the service shows, so a retried or interrupted
 *      poll picks up where the last one left off.
 *   3. a DRAFT with unpublished changes: CreateDatasetVersion. Done once the DRAFT is UNMODIFIED,
 *      with the newest version as the DatasetVersion attribute.
 * Delete     DeleteDataset. DATASET_NOT_READY (still creating or updating) is waited for and the
 *            delete issued again, DELETE_FAILED is retried, REFERENCED_BY_EVAL_JOB fails with what
 *            to do. Gone counts as done.
 */
import {
  AddDatasetExamplesCommand, CreateDatasetCommand, CreateDatasetVersionCommand, DataSourceType,
  DeleteDatasetCommand, DeleteDatasetExamplesCommand, GetDatasetCommand, GetDatasetCommandOutput,
  ListDatasetExamplesCommand, ListDatasetsCommand, ListDatasetVersionsCommand, TagResourceCommand,
  UntagResourceCommand, UpdateDatasetCommand, UpdateDatasetExamplesCommand, UpdateDatasetExamplesCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { agentcore } from './client';
import { agentcoreTagging, clientToken, datasetIdOf, isDatasetArn, lifecycleState } from './common';
import { batches, Example, isObject, ListedExample, listedExample, MAX_EXAMPLES_PER_CALL, planExamples } from './examples';
import { LifecycleError } from '../core/errors';
import { generatePhysicalName, shortHash } from '../core/naming';
import { ErrorKind, Properties, ReconcileResult, RequestContext, ResourceAdapter } from '../core/types';

/** Records which S3 source the DRAFT holds (see Reconcile above). */
export const EXAMPLES_SOURCE_TAG_KEY = 'cdk-datasets:examples-source';
const ADDING = ':adding';

/** The error delete() throws for a dataset an evaluation job still uses; it fails the operation. */
const IN_USE_BY_EVALUATION_JOB = 'DatasetInUseByEvaluationJob';

/** Examples as the SDK types them (JSON documents). */
type Documents = NonNullable<UpdateDatasetExamplesCommandInput['examples']>;

/** The tag value for an S3 source. */
export function examplesSourceTag(s3Uri: string): string {
  return shortHash('s3', s3Uri).slice(0, 40);
}

export const evaluationDatasetAdapter: ResourceAdapter = {
  resourceType: 'Custom::AgentCoreEvaluationDataset',
  description: 'AgentCore evaluation dataset',
  nameProperty: 'DatasetName',
  replaceOnChange: ['DatasetName', 'SchemaType', 'KmsKeyArn'],

  replacedBy({ context, oldProperties, properties, changed }) {
    const before: unknown = oldProperties.DatasetName;
    const after: unknown = properties.DatasetName;
    if (typeof before === 'string' && typeof after === 'string' && before !== after && before.toLowerCase() === after.toLowerCase()) {
      throw new LifecycleError(`Cannot rename AgentCore evaluation dataset "${before}" to "${after}" (${context.logicalResourceId}): ` +
        'dataset names are unique regardless of case, so the replacement would need the name the old dataset still holds. ' +
        'Nothing was changed. Choose a name that differs in more than case, or remove the name so that one is generated.');
    }
    return changed.filter((key) => this.replaceOnChange.includes(key));
  },

  /** Names: `[a-zA-Z][a-zA-Z0-9_]{0,47}`, unique in the account regardless of case: generated in lower case. */
  generateName: (context) => generatePhysicalName(context, { maxLength: 48, allowed: /[a-zA-Z0-9_]/, separator: '_', lowerCase: true }),
  isPhysicalId: isDatasetArn,

  async create({ context, properties, name, tags }) {
    const map: Record<string, string> = Object.fromEntries(tags.map((t) => [t.key, t.value]));
    let source: DataSourceType;
    if (typeof properties.S3Uri === 'string') {
      source = { s3Source: { s3Uri: properties.S3Uri } };
      map[EXAMPLES_SOURCE_TAG_KEY] = examplesSourceTag(properties.S3Uri);
    } else {
      // The rest of a large inline set follows through reconcile.
      source = { inlineExamples: { examples: (batches(inlineExamples(properties))[0] ?? []) as Documents } };
    }
    const response = await agentcore().send(new CreateDatasetCommand({
      clientToken: clientToken(context, 'CreateDataset'),
      datasetName: name,
      description: properties.Description,
      schemaType: properties.SchemaType,
      kmsKeyArn: properties.KmsKeyArn,
      source,
      tags: map,
    }));
    return response.datasetArn!;
  },

  // Dataset ARNs end in a generated id, so the holder of a taken name is looked up by name.
  async findExisting({ name }) {
    let nextToken: string | undefined;
    do {
      const page = await agentcore().send(new ListDatasetsCommand({ nextToken }));
      const found = (page.datasets ?? []).find((d) => d.datasetName?.toLowerCase() === name.toLowerCase());
      if (found) return found.datasetArn;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  },

  async describe(datasetArn) {
    try {
      const dataset = await getDataset(datasetArn);
      const status = dataset.status ?? 'UNKNOWN';
      return {
        state: lifecycleState(status),
        status,
        failureReason: dataset.failureReason,
        attributes: {
          EvaluationDatasetArn: datasetArn,
          EvaluationDatasetId: datasetIdOf(datasetArn),
          EvaluationDatasetName: dataset.datasetName ?? '',
        },
      };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  },

  async currentProperties(datasetArn) {
    const dataset = await getDataset(datasetArn);
    return { DatasetName: dataset.datasetName, SchemaType: dataset.schemaType, KmsKeyArn: dataset.kmsKeyArn };
  },

  /**
   * Changes are applied by reconcile once the dataset is ACTIVE. Only the tag that records an S3
   * source goes here, when the source stops being S3: before the core adds the new tags (its place
   * counts against the 50 tags a dataset may have), and before any example changes.
   */
  async update({ context, physicalId, oldProperties, properties }) {
    // A dataset UPDATE_FAILED now failed in an earlier request (typically the one CloudFormation is
    // rolling back): publishing its draft brings it back to ACTIVE, and the examples are then brought
    // to this request's set as usual. A failure during this request still fails it, with its reason.
    const dataset = await getDataset(physicalId);
    if (dataset.status === 'UPDATE_FAILED') {
      const datasetId = datasetIdOf(physicalId);
      await agentcore().send(new CreateDatasetVersionCommand({
        datasetId, clientToken: clientToken(context, datasetId, 'RecoverFromUpdateFailed'),
      }));
    }
    if (oldProperties.S3Uri !== undefined && properties.S3Uri === undefined) {
      await agentcore().send(new UntagResourceCommand({ resourceArn: physicalId, tagKeys: [EXAMPLES_SOURCE_TAG_KEY] }));
    }
  },

  async reconcile({ context, physicalId, properties }) {
    const datasetId = datasetIdOf(physicalId);
    const dataset = await getDataset(physicalId);
    const description = properties.Description ?? '';
    if ((dataset.description ?? '') !== description) {
      await agentcore().send(new UpdateDatasetCommand({
        datasetId, description, clientToken: clientToken(context, datasetId, 'UpdateDataset', description),
      }));
    }
    try {
      const pending = typeof properties.S3Uri === 'string'
        ? await reconcileS3Source(context, physicalId, dataset, properties.S3Uri)
        : await reconcileInlineExamples(context, datasetId, inlineExamples(properties));
      if (pending) return { done: false, status: `ACTIVE, ${pending}` };
    } catch (error) {
      // An example that was listed is gone by the time of the write: compare again on the next poll.
      if ((error as Error).name === 'ResourceNotFoundException') {
        return { done: false, status: `ACTIVE, examples changed meanwhile (${(error as Error).message})` };
      }
      throw error;
    }
    return publish(context, dataset);
  },

  async delete(datasetArn) {
    try {
      await agentcore().send(new DeleteDatasetCommand({ datasetId: datasetIdOf(datasetArn) }));
    } catch (error) {
      const e = error as Error;
      if (e.name === 'ConflictException' && /REFERENCED_BY_EVAL_JOB|evaluation job/i.test(reasonOf(error))) {
        const inUse = new Error('the dataset is used by an active evaluation job, and AgentCore refuses to delete it ' +
          `(${e.message}). Stop the evaluation job or wait for it to end, then retry; to keep the dataset instead, ` +
          'give it removalPolicy RETAIN.');
        inUse.name = IN_USE_BY_EVALUATION_JOB;
        throw inUse;
      }
      throw error;
    }
  },

  attributesOf: (datasetArn) => ({ EvaluationDatasetArn: datasetArn, EvaluationDatasetId: datasetIdOf(datasetArn) }),

  /**
   * ConflictException carries the state guard that refused the call (API reference): DATASET_NOT_READY
   * (CREATING or UPDATING, wait), REFERENCED_BY_EVAL_JOB and DATASET_IN_FAILED_STATE (fail), and on
   * CreateDataset a name that is taken. Another conflict is taken as a state guard: waited for, up to
   * the resource's wait bound.
   */
  classifyError(error): ErrorKind | undefined {
    const name = (error as Error | undefined)?.name;
    if (name === IN_USE_BY_EVALUATION_JOB) return 'fatal';
    if (name !== 'ConflictException') return undefined;
    const reason = reasonOf(error);
    if (/DATASET_NOT_READY|not ready/i.test(reason)) return 'not-ready';
    if (/REFERENCED_BY_EVAL_JOB|DATASET_IN_FAILED_STATE|evaluation job/i.test(reason)) return 'fatal';
    if (/already exists|name/i.test(reason)) return 'already-exists';
    return 'not-ready';
  },

  ...agentcoreTagging,
};

async function getDataset(datasetArn: string): Promise<GetDatasetCommandOutput> {
  return agentcore().send(new GetDatasetCommand({ datasetId: datasetIdOf(datasetArn) }));
}

/** The reason code may come in the message or as a member of the error body. */
function reasonOf(error: unknown): string {
  const e = (error ?? {}) as { message?: string; reason?: string; code?: string };
  return [e.reason, e.code, e.message].filter((s) => typeof s === 'string').join(' ');
}

/** The wanted inline examples: a JSON array of objects (CloudFormation passes properties as strings). */
function inlineExamples(properties: Properties): Example[] {
  const json: unknown = properties.InlineExamples;
  if (typeof json !== 'string') {
    throw new LifecycleError('cdk-datasets: an AgentCore evaluation dataset needs InlineExamples (a JSON array) or S3Uri');
  }
  const examples: unknown = JSON.parse(json);
  if (!Array.isArray(examples) || !examples.every(isObject)) {
    throw new LifecycleError('cdk-datasets: InlineExamples must be a JSON array of objects');
  }
  return examples;
}

/** Issues the next write that brings the DRAFT to the inline examples; what it did, or undefined when they match. */
async function reconcileInlineExamples(context: RequestContext, datasetId: string, wanted: Example[]): Promise<string | undefined> {
  const listed: ListedExample[] = [];
  let nextToken: string | undefined;
  do {
    const page = await agentcore().send(new ListDatasetExamplesCommand({ datasetId, maxResults: MAX_EXAMPLES_PER_CALL, nextToken }));
    listed.push(...(page.examples ?? []).map(listedExample));
    nextToken = page.nextToken;
  } while (nextToken);

  const plan = planExamples(wanted, listed);
  const left = `${plan.updates.length} to update, ${plan.deletes.length} to delete, ${plan.adds.length} to add`;
  const token = (operation: string, batch: unknown[]) => clientToken(context, datasetId, operation, JSON.stringify(batch));
  if (plan.updates.length > 0) {
    const batch = batches(plan.updates.map((u) => ({ ...u.content, exampleId: u.exampleId })))[0];
    await agentcore().send(new UpdateDatasetExamplesCommand({ datasetId, examples: batch as Documents, clientToken: token('UpdateDatasetExamples', batch) }));
    return `updating ${batch.length} examples (${left})`;
  }
  if (plan.deletes.length > 0) {
    const batch = plan.deletes.slice(0, MAX_EXAMPLES_PER_CALL);
    await agentcore().send(new DeleteDatasetExamplesCommand({ datasetId, exampleIds: batch, clientToken: token('DeleteDatasetExamples', batch) }));
    return `deleting ${batch.length} examples (${left})`;
  }
  if (plan.adds.length > 0) {
    const batch = batches(plan.adds)[0];
    await agentcore().send(new AddDatasetExamplesCommand({
      datasetId, source: { inlineExamples: { examples: batch as Documents } }, clientToken: token('AddDatasetExamples', batch),
    }));
    return `adding ${batch.length} examples (${left})`;
  }
  return undefined;
}

/** Issues the next step that brings the DRAFT to the examples of an S3 file; what it did, or undefined when it holds them. */
async function reconcileS3Source(context: RequestContext, datasetArn: string, dataset: GetDatasetCommandOutput,
  s3Uri: string): Promise<string | undefined> {
  const datasetId = datasetIdOf(datasetArn);
  const source = examplesSourceTag(s3Uri);
  const tags = await agentcoreTagging.listTags(datasetArn);
  const holds = tags[EXAMPLES_SOURCE_TAG_KEY];
  if (holds === source) return undefined;

  const add = async () => {
    await agentcore().send(new AddDatasetExamplesCommand({
      datasetId, source: { s3Source: { s3Uri } }, clientToken: clientToken(context, datasetId, 'AddDatasetExamples', s3Uri),
    }));
    return `adding the examples of ${s3Uri}`;
  };
  if (holds === `${source}${ADDING}`) {
    if ((dataset.exampleCount ?? 0) === 0) return add();
    await agentcore().send(new TagResourceCommand({ resourceArn: datasetArn, tags: { [EXAMPLES_SOURCE_TAG_KEY]: source } }));
    return undefined;
  }

  // The DRAFT holds another source's examples: empty it a page at a time, then add the new ones.
  const page = await agentcore().send(new ListDatasetExamplesCommand({ datasetId, maxResults: MAX_EXAMPLES_PER_CALL }));
  const ids = (page.examples ?? []).map((e) => listedExample(e).exampleId);
  if (ids.length > 0) {
    await agentcore().send(new DeleteDatasetExamplesCommand({
      datasetId, exampleIds: ids, clientToken: clientToken(context, datasetId, 'DeleteDatasetExamples', JSON.stringify(ids)),
    }));
    return `deleting ${ids.length} of ${dataset.exampleCount ?? ids.length} examples before adding those of ${s3Uri}`;
  }
  await agentcore().send(new TagResourceCommand({ resourceArn: datasetArn, tags: { [EXAMPLES_SOURCE_TAG_KEY]: `${source}${ADDING}` } }));
  return add();
}

/**
 * Publishes the DRAFT when it has changes no version has. The token is the request's, so a
 * version is published once per request however often this runs.
 */
async function publish(context: RequestContext, dataset: GetDatasetCommandOutput): Promise<ReconcileResult> {
  const datasetId = dataset.datasetId!;
  // draftStatus is authoritative when ACTIVE; without it, the newest version is taken as current.
  if (dataset.draftStatus !== 'MODIFIED') {
    const { versions } = await agentcore().send(new ListDatasetVersionsCommand({ datasetId, maxResults: 1 }));
    const newest = versions?.[0]?.datasetVersion;
    if (newest !== undefined) return { done: true, attributes: { DatasetVersion: newest } };
  }
  const response = await agentcore().send(new CreateDatasetVersionCommand({
    datasetId, clientToken: clientToken(context, datasetId, 'CreateDatasetVersion'),
  }));
  return { done: false, status: `ACTIVE, publishing version ${response.datasetVersion}` };
}
