/**
 * The stacks the scenarios deploy: for each construct, a first version and the versions that update
 * it (in place, with a replacement, with a fixed name), a retained one, a pair for rollbacks. They
 * are all built into one app and synthesized once: the versions of one stack are separate stack
 * artifacts with the same stack name, so the driver can update one into another, and every stack
 * shares the same handler assets (one module instance per handler bundle in the process).
 */
import { App, CfnOutput, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import {
  DatasetGroup, DatasetGroupDomain, DatasetType, EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType,
  EventTracker, Schema, SchemaField,
} from '../../src';

const DESTROY = RemovalPolicy.DESTROY;
/**
 * The wait bound of the `-wait-bound` variants (simulated time: the handlers' clock runs at the
 * rehearsal's pace). A minute is 1.2 s real at 0.02: room for a loaded machine's slow handler start.
 */
export const WAIT_BOUND = Duration.minutes(1);
const RETAIN = RemovalPolicy.RETAIN;

/** The stack names. Every version of one is a separate artifact with the same stack name. */
export const STACK_NAMES = {
  group: 'RehearsalGroup',
  schema: 'RehearsalSchema',
  dataset: 'RehearsalDataset',
  evaluation: 'RehearsalEvaluation',
  tracker: 'RehearsalTracker',
} as const;

/** S3 objects the evaluation dataset scenarios read (the emulator's `s3` option). */
export const BUCKET_NAME = 'rehearsal-evaluation-examples';
export const S3_OBJECTS: Readonly<Record<string, string>> = {
  [`s3://${BUCKET_NAME}/evals/v1.jsonl`]: jsonl([example(1), example(2)]),
  [`s3://${BUCKET_NAME}/evals/v2.jsonl`]: jsonl([example(1), example(2, 'changed'), example(3)]),
};

/** Fixed names (unique per construct type, so that stacks of different scenarios never share one). */
export const FIXED_NAMES = {
  group: 'rehearsal-fixed-group',
  schema: 'rehearsal-fixed-schema',
  dataset: 'rehearsal-fixed-dataset',
  evaluation: 'rehearsal_fixed_evaluation',
  tracker: 'rehearsal-fixed-tracker',
} as const;

/** The environment variable grantPutEvents hands a function the tracking id in, unless told another. */
export const TRACKING_ID_VARIABLE = 'PERSONALIZE_TRACKING_ID';

type Builder = (stack: Stack) => void;

/** Every stack artifact, by id: `<construct>-<variant>`. */
const VARIANTS: Record<string, { stackName: string; build: Builder }> = {
  // ---- DatasetGroup ----
  'group-v1': { stackName: STACK_NAMES.group, build: (s) => group(s, { tags: { team: 'recs' } }) },
  'group-tags': { stackName: STACK_NAMES.group, build: (s) => group(s, { tags: { team: 'search', stage: 'test' } }) },
  'group-domain': { stackName: STACK_NAMES.group, build: (s) => group(s, { tags: { team: 'recs' }, domain: DatasetGroupDomain.ECOMMERCE }) },
  'group-fixed-v1': { stackName: STACK_NAMES.group, build: (s) => group(s, { name: FIXED_NAMES.group }) },
  'group-fixed-domain': { stackName: STACK_NAMES.group, build: (s) => group(s, { name: FIXED_NAMES.group, domain: DatasetGroupDomain.ECOMMERCE }) },
  'group-retain': { stackName: STACK_NAMES.group, build: (s) => group(s, { removalPolicy: RETAIN }) },
  'group-wait-bound': { stackName: STACK_NAMES.group, build: (s) => group(s, { waitTimeout: WAIT_BOUND }) },
  'group-pair': {
    stackName: STACK_NAMES.group,
    build: (s) => {
      const first = new DatasetGroup(s, 'First', { removalPolicy: DESTROY });
      const second = new DatasetGroup(s, 'Second', { removalPolicy: DESTROY });
      second.node.addDependency(first);
    },
  },

  // ---- Schema ----
  'schema-v1': { stackName: STACK_NAMES.schema, build: (s) => schema(s, {}) },
  'schema-fields': { stackName: STACK_NAMES.schema, build: (s) => schema(s, { extraField: true }) },
  'schema-fixed-v1': { stackName: STACK_NAMES.schema, build: (s) => schema(s, { name: FIXED_NAMES.schema }) },
  'schema-fixed-fields': { stackName: STACK_NAMES.schema, build: (s) => schema(s, { name: FIXED_NAMES.schema, extraField: true }) },
  'schema-retain': { stackName: STACK_NAMES.schema, build: (s) => schema(s, { removalPolicy: RETAIN }) },
  'schema-pair': {
    stackName: STACK_NAMES.schema,
    build: (s) => {
      const first = interactionsSchema(s, 'First', {});
      const second = interactionsSchema(s, 'Second', {});
      second.node.addDependency(first);
    },
  },

  // ---- Dataset ----
  'dataset-v1': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { tags: { team: 'recs' } }) },
  'dataset-schema': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { tags: { team: 'search' }, extraField: true }) },
  'dataset-users': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { tags: { team: 'recs' }, type: 'users' }) },
  'dataset-fixed-v1': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { name: FIXED_NAMES.dataset }) },
  'dataset-fixed-users': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { name: FIXED_NAMES.dataset, type: 'users' }) },
  'dataset-retain': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { removalPolicy: RETAIN }) },
  'dataset-wait-bound': { stackName: STACK_NAMES.dataset, build: (s) => dataset(s, { waitTimeout: WAIT_BOUND }) },
  'dataset-pair': {
    stackName: STACK_NAMES.dataset,
    build: (s) => {
      const g = new DatasetGroup(s, 'Group', { removalPolicy: DESTROY });
      const first = g.addDataset('First', { datasetType: DatasetType.ITEMS, schema: itemsSchema(s, 'ItemsSchema', false) });
      const second = g.addDataset('Second', { datasetType: DatasetType.USERS, schema: usersSchema(s, 'UsersSchema') });
      second.node.addDependency(first);
    },
  },

  // ---- EvaluationDataset ----
  'evaluation-v1': {
    stackName: STACK_NAMES.evaluation,
    build: (s) => evaluation(s, { tags: { team: 'agents' }, description: 'Checkout regression set', examples: [example(1), example(2)] }),
  },
  'evaluation-examples': {
    stackName: STACK_NAMES.evaluation,
    build: (s) => evaluation(s, {
      tags: { team: 'agents', stage: 'test' },
      description: 'Checkout regression set, second edition',
      examples: [example(1), example(2, 'changed'), example(3)],
    }),
  },
  'evaluation-schema-type': {
    stackName: STACK_NAMES.evaluation,
    build: (s) => evaluation(s, { tags: { team: 'agents' }, schemaType: EvaluationSchemaType.THIRD_PARTY_EVALUATION_V1, examples: [{ input: 'hi' }] }),
  },
  'evaluation-fixed-v1': { stackName: STACK_NAMES.evaluation, build: (s) => evaluation(s, { name: FIXED_NAMES.evaluation }) },
  'evaluation-fixed-schema-type': {
    stackName: STACK_NAMES.evaluation,
    build: (s) => evaluation(s, { name: FIXED_NAMES.evaluation, schemaType: EvaluationSchemaType.THIRD_PARTY_EVALUATION_V1, examples: [{ input: 'hi' }] }),
  },
  'evaluation-retain': { stackName: STACK_NAMES.evaluation, build: (s) => evaluation(s, { removalPolicy: RETAIN }) },
  'evaluation-wait-bound': { stackName: STACK_NAMES.evaluation, build: (s) => evaluation(s, { waitTimeout: WAIT_BOUND }) },
  'evaluation-s3-v1': { stackName: STACK_NAMES.evaluation, build: (s) => evaluation(s, { s3Key: 'evals/v1.jsonl' }) },
  'evaluation-s3-v2': { stackName: STACK_NAMES.evaluation, build: (s) => evaluation(s, { s3Key: 'evals/v2.jsonl' }) },
  'evaluation-pair': {
    stackName: STACK_NAMES.evaluation,
    build: (s) => {
      const source = EvaluationDatasetSource.fromInline([example(1)]);
      const schemaType = EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1;
      const first = new EvaluationDataset(s, 'First', { schemaType, source, removalPolicy: DESTROY });
      const second = new EvaluationDataset(s, 'Second', { schemaType, source, removalPolicy: DESTROY });
      second.node.addDependency(first);
    },
  },
  // ---- EventTracker: a group with an Interactions dataset, its tracker, and a function granted PutEvents ----
  'tracker-v1': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { tags: { team: 'recs' } }) },
  'tracker-tags': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { tags: { team: 'search', stage: 'test' } }) },
  'tracker-other-group': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { tags: { team: 'recs' }, inOtherGroup: true }) },
  'tracker-fixed-v1': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { name: FIXED_NAMES.tracker }) },
  'tracker-fixed-other-group': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { name: FIXED_NAMES.tracker, inOtherGroup: true }) },
  'tracker-retain': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { removalPolicy: RETAIN }) },
  'tracker-wait-bound': { stackName: STACK_NAMES.tracker, build: (s) => tracker(s, { waitTimeout: WAIT_BOUND }) },
  'tracker-pair': {
    stackName: STACK_NAMES.tracker,
    build: (s) => {
      // A group holds one tracker: each of the pair has its own group.
      const first = new DatasetGroup(s, 'FirstGroup', { removalPolicy: DESTROY }).addEventTracker('First');
      const second = new DatasetGroup(s, 'SecondGroup', { removalPolicy: DESTROY }).addEventTracker('Second');
      second.node.addDependency(first);
    },
  },
};

export type VariantId = keyof typeof VARIANTS;

/** The synthesized scenario stacks. */
export class ScenarioStacks {
  /** Builds every variant into one app under `outdir` and synthesizes it. */
  public static synth(outdir: string): ScenarioStacks {
    const app = new App({ outdir });
    for (const [id, { stackName, build }] of Object.entries(VARIANTS)) {
      build(new Stack(app, id, { stackName, env: { account: '123456789012', region: 'us-east-1' } }));
    }
    return new ScenarioStacks(app.synth());
  }

  private constructor(public readonly assembly: CloudAssembly) {}

  /** One variant's stack artifact: what the driver deploys or updates to. */
  public stack(id: string): CloudFormationStackArtifact {
    if (!(id in VARIANTS)) throw new Error(`no scenario stack ${id} (there are ${Object.keys(VARIANTS).join(', ')})`);
    return this.assembly.getStackArtifact(id);
  }
}

// ---- the constructs, as a user would write them ----

interface CommonOptions {
  readonly name?: string;
  readonly tags?: Record<string, string>;
  readonly removalPolicy?: RemovalPolicy;
  readonly waitTimeout?: Duration;
}

function tag(scope: Construct, tags: Record<string, string> = {}): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
}

function group(stack: Stack, options: CommonOptions & { domain?: DatasetGroupDomain }): void {
  const g = new DatasetGroup(stack, 'Group', {
    datasetGroupName: options.name,
    domain: options.domain,
    removalPolicy: options.removalPolicy ?? DESTROY,
    waitTimeout: options.waitTimeout,
  });
  tag(g, options.tags);
  new CfnOutput(stack, 'GroupArn', { value: g.datasetGroupArn });
  new CfnOutput(stack, 'GroupName', { value: g.datasetGroupName });
}

function interactionsSchema(scope: Construct, id: string, options: CommonOptions & { extraField?: boolean }): Schema {
  return new Schema(scope, id, {
    schemaName: options.name,
    datasetType: DatasetType.INTERACTIONS,
    fields: [
      SchemaField.string('USER_ID'),
      SchemaField.string('ITEM_ID'),
      SchemaField.long('TIMESTAMP'),
      ...(options.extraField ? [SchemaField.string('DEVICE', { categorical: true, optional: true })] : []),
    ],
    removalPolicy: options.removalPolicy ?? DESTROY,
    waitTimeout: options.waitTimeout,
  });
}

function schema(stack: Stack, options: CommonOptions & { extraField?: boolean }): void {
  const s = interactionsSchema(stack, 'Schema', options);
  new CfnOutput(stack, 'SchemaArn', { value: s.schemaArn });
  new CfnOutput(stack, 'SchemaName', { value: s.schemaName });
}

function itemsSchema(scope: Construct, id: string, extraField: boolean, removalPolicy: RemovalPolicy = DESTROY): Schema {
  return new Schema(scope, id, {
    datasetType: DatasetType.ITEMS,
    fields: [
      SchemaField.string('ITEM_ID'),
      SchemaField.string('GENRE', { categorical: true }),
      ...(extraField ? [SchemaField.float('PRICE', { optional: true })] : []),
    ],
    removalPolicy,
  });
}

function usersSchema(scope: Construct, id: string, removalPolicy: RemovalPolicy = DESTROY): Schema {
  return new Schema(scope, id, {
    datasetType: DatasetType.USERS,
    fields: [SchemaField.string('USER_ID'), SchemaField.int('AGE')],
    removalPolicy,
  });
}

/** A group with an Items dataset (or a Users one); the dataset takes the group's removal policy. */
function dataset(stack: Stack, options: CommonOptions & { extraField?: boolean; type?: 'items' | 'users' }): void {
  const removalPolicy = options.removalPolicy ?? DESTROY;
  const g = new DatasetGroup(stack, 'Group', { removalPolicy });
  const users = options.type === 'users';
  const d = g.addDataset('Dataset', {
    datasetName: options.name,
    datasetType: users ? DatasetType.USERS : DatasetType.ITEMS,
    schema: users ? usersSchema(stack, 'UsersSchema', removalPolicy) : itemsSchema(stack, 'ItemsSchema', options.extraField ?? false, removalPolicy),
    waitTimeout: options.waitTimeout,
  });
  tag(d, options.tags);
  new CfnOutput(stack, 'DatasetArn', { value: d.datasetArn });
  new CfnOutput(stack, 'DatasetName', { value: d.datasetName });
}

function evaluation(stack: Stack, options: CommonOptions & {
  description?: string; schemaType?: EvaluationSchemaType; examples?: object[]; s3Key?: string;
}): void {
  const source = options.s3Key
    ? EvaluationDatasetSource.fromBucket(s3.Bucket.fromBucketName(stack, 'Examples', BUCKET_NAME), options.s3Key)
    : EvaluationDatasetSource.fromInline(options.examples ?? [example(1)]);
  const e = new EvaluationDataset(stack, 'Evaluation', {
    datasetName: options.name,
    description: options.description,
    schemaType: options.schemaType ?? EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1,
    source,
    removalPolicy: options.removalPolicy ?? DESTROY,
    waitTimeout: options.waitTimeout,
  });
  tag(e, options.tags);
  new CfnOutput(stack, 'EvaluationDatasetArn', { value: e.evaluationDatasetArn });
  new CfnOutput(stack, 'EvaluationDatasetId', { value: e.evaluationDatasetId });
  new CfnOutput(stack, 'EvaluationDatasetVersion', { value: e.evaluationDatasetVersion });
}

/**
 * The stack of the event tracker scenarios: a group with an Interactions dataset, the group's
 * tracker, and a function that is granted PutEvents and handed the tracking id. The tracker is made
 * with `new EventTracker` at the stack's top, so that moving it to another group (`inOtherGroup`)
 * keeps its logical id: that is a replacement of the same stack resource.
 */
function tracker(stack: Stack, options: CommonOptions & { inOtherGroup?: boolean }): void {
  const removalPolicy = options.removalPolicy ?? DESTROY;
  const g = new DatasetGroup(stack, 'Group', { removalPolicy });
  g.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: interactionsSchema(stack, 'InteractionsSchema', { removalPolicy }) });
  const datasetGroup = options.inOtherGroup ? new DatasetGroup(stack, 'OtherGroup', { removalPolicy }) : g;
  const t = new EventTracker(stack, 'Tracker', { datasetGroup, eventTrackerName: options.name, waitTimeout: options.waitTimeout });
  tag(t, options.tags);
  const ingest = new lambda.Function(stack, 'Ingest', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });
  t.grantPutEvents(ingest);
  new CfnOutput(stack, 'TrackerArn', { value: t.eventTrackerArn });
  new CfnOutput(stack, 'TrackingId', { value: t.trackingId });
}

/** A predefined-conversation example. */
export function example(n: number, variant = ''): Record<string, unknown> {
  return { scenario_id: `checkout-${n}`, turns: [{ input: `question ${n}${variant ? ` (${variant})` : ''}`, expected_response: `answer ${n}` }] };
}

function jsonl(examples: object[]): string {
  return examples.map((e) => JSON.stringify(e)).join('\n') + '\n';
}
