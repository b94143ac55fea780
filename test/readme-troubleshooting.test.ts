/**
 * The README's Troubleshooting table quotes what the handlers say: each row's first column is a
 * message, and this test drives the real handlers (lambda/index.ts onEvent and isComplete, with the
 * SDK clients mocked as in test/lambda/) into that situation and checks that the error they throw
 * matches the row.
 *
 * A row's quote becomes a pattern: `...` and `<reason>` (any `<word>`) stand for anything (nothing
 * included), `N` for a number and `arn:...` for an ARN; everything else is literal. The quote is the start of the message
 * (a row that quotes from the middle starts with `...`); the message may go on after it.
 *
 * Every row needs at least one case below, keyed by its quote exactly, and every case a row: a new
 * or reworded row fails here until a case drives the handlers into it.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  AddDatasetExamplesCommand, BedrockAgentCoreControlClient, CreateDatasetCommand, CreateDatasetVersionCommand,
  DeleteDatasetCommand as DeleteEvaluationDatasetCommand, GetDatasetCommand, ListDatasetExamplesCommand, ListDatasetsCommand,
  TagResourceCommand as TagAgentCoreResourceCommand, UpdateDatasetExamplesCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import {
  CreateDatasetGroupCommand, DeleteDatasetCommand, DeleteDatasetGroupCommand, DescribeDatasetCommand, DescribeDatasetGroupCommand,
  DescribeDatasetImportJobCommand, DescribeEventTrackerCommand, DescribeSchemaCommand, ListTagsForResourceCommand, PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import {
  completeEvent, createEvent, DATASET_ARN as DATASET, DATASET_PROPERTIES as DATASET_PROPS, deleteEvent, EVALUATION_DATASET_ARN as EVAL_DATASET,
  EVALUATION_DATASET_ID as EVAL_ID, GROUP_ARN as GROUP, IMPORT_JOB_ARN as IMPORT_JOB, IMPORT_PROPERTIES as IMPORT_PROPS, KMS_KEY_ARN as KEY,
  PREDEFINED_SCHEMA_TYPE as PREDEFINED, Properties, SCHEMA_V1_ARN as SCHEMA_V1, SCHEMA_V2_ARN as SCHEMA_V2, serviceError, TRACKER_ARN as TRACKER,
  updateEvent,
} from './lambda/fixtures';
import type { IsCompleteRequest, OnEventRequest } from '../lambda/core/lifecycle';
import { isComplete, onEvent, resetHandlers } from '../lambda/index';
import { RESOURCES } from '../src/contract';

const personalize = mockClient(PersonalizeClient);
const agentcore = mockClient(BedrockAgentCoreControlClient);

beforeEach(() => {
  personalize.reset();
  agentcore.reset();
  resetHandlers();
});

// ---- The table ----

interface Row {
  /** The row's quote, as written in the README. */
  readonly quote: string;
  readonly pattern: RegExp;
}

/** The rows of the README's Troubleshooting table. */
function troubleshootingRows(): Row[] {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Troubleshooting\n');
  if (start < 0) throw new Error('README.md has no "## Troubleshooting" section');
  const end = readme.indexOf('\n## ', start + 1);
  const lines = readme.slice(start, end < 0 ? undefined : end).split('\n').filter((line) => line.startsWith('|'));
  // The header and the separator line first.
  return lines.slice(2).map((line) => {
    const firstCell = line.split('|')[1];
    const quote = /`([^`]+)`/.exec(firstCell)?.[1];
    if (!quote) throw new Error(`Troubleshooting row without a quoted message: ${line}`);
    return { quote, pattern: patternOf(quote) };
  });
}

/** The quote as a regular expression anchored at the message's start. */
function patternOf(quote: string): RegExp {
  const placeholder = /arn:\.\.\.| \.\.\. |\.\.\.|<[a-z][a-z ]*>|(?<![A-Za-z0-9_])N(?![A-Za-z0-9_])/g;
  let source = '';
  let last = 0;
  for (let match = placeholder.exec(quote); match; match = placeholder.exec(quote)) {
    source += escapeRegExp(quote.slice(last, match.index));
    const token = match[0];
    if (token === 'arn:...') source += 'arn:[\\w-]+:[\\w-]+:[\\w-]*:\\d*:\\S+?';
    else if (token === 'N') source += '\\d+';
    // "a ... b" may also be "a b": the words around it may meet.
    else if (token === ' ... ') source += ' (?:[\\s\\S]*? )?';
    else source += '[\\s\\S]*?';
    last = match.index + token.length;
  }
  source += escapeRegExp(quote.slice(last));
  return new RegExp(`^${source}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- Driving the handlers ----

const TYPES = Object.fromEntries(Object.entries(RESOURCES).map(([name, spec]) => [name, spec.type])) as Record<keyof typeof RESOURCES, string>;
const scenario = (id: string, input = `question ${id}`) => ({ scenario_id: id, turns: [{ input }] });
const inline = (examples: object[], extra: Properties = {}): Properties =>
  ({ SchemaType: PREDEFINED, InlineExamples: JSON.stringify(examples), ...extra });
const accessDenied = (action: string) => serviceError('AccessDeniedException',
  `User: arn:aws:sts::123456789012:assumed-role/Recommendations-Handler/fn is not authorized to perform: ${action}`, 403);

/** A poll a few seconds into the wait (the core skips the status call of the poll straight after a create). */
function poll(event: OnEventRequest, physicalId: string, extra: Partial<IsCompleteRequest> = {}): Promise<unknown> {
  return isComplete(completeEvent(event, { PhysicalResourceId: physicalId, WaitStartedAt: Date.now() - 5_000, ...extra }));
}

/** Polls until the handler throws (or gives up): example writes take a few polls to go wrong. */
async function pollUntilFailure(event: OnEventRequest, physicalId: string, polls = 10): Promise<void> {
  for (let i = 0; i < polls; i++) await poll(event, physicalId);
}

/** An evaluation dataset as GetDataset answers, ACTIVE with unpublished changes unless told otherwise. */
function evaluationDataset(fields: Record<string, unknown> = {}) {
  agentcore.on(GetDatasetCommand).resolves({
    datasetArn: EVAL_DATASET,
    datasetId: EVAL_ID,
    datasetName: 'checkout_eval',
    status: 'ACTIVE',
    draftStatus: 'MODIFIED',
    schemaType: PREDEFINED,
    tags: {},
    updatedAt: new Date(Date.now() - 60_000),
    ...fields,
  } as any);
}

/** The DRAFT's examples as ListDatasetExamples lists them. */
function draft(...examples: object[]) {
  agentcore.on(ListDatasetExamplesCommand).resolves({
    datasetArn: EVAL_DATASET,
    datasetId: EVAL_ID,
    datasetVersion: 'DRAFT',
    examples: examples.map((e, i) => ({ exampleId: `ex-${i + 1}`, ...e })) as any,
  });
}

/** How to bring the handlers to say a row's message: each case must make them throw. */
const CASES: Record<string, Record<string, () => Promise<unknown>>> = {
  'Personalize ... arn:... is CREATE FAILED: <reason>': {
    'a dataset group Personalize could not create': async () => {
      personalize.on(DescribeDatasetGroupCommand).resolves({
        datasetGroup: { datasetGroupArn: GROUP, name: 'retail', status: 'CREATE FAILED', failureReason: 'KMS key is not accessible by the role' },
      });
      return poll(createEvent(TYPES.DatasetGroup, {}), GROUP);
    },
    'an import job whose file does not fit the schema': async () => {
      personalize.on(DescribeDatasetImportJobCommand).resolves({
        datasetImportJob: {
          datasetImportJobArn: IMPORT_JOB, status: 'CREATE FAILED', failureReason: 'Input CSV is missing the following columns: [TIMESTAMP]',
        },
      });
      return poll(createEvent(TYPES.DatasetImport, IMPORT_PROPS), IMPORT_JOB);
    },
    'an event tracker (Personalize gives no reason)': async () => {
      personalize.on(DescribeEventTrackerCommand).resolves({ eventTracker: { eventTrackerArn: TRACKER, name: 'clicks', status: 'CREATE FAILED' } });
      return poll(createEvent(TYPES.EventTracker, { DatasetGroupArn: GROUP }), TRACKER);
    },
  },

  'AgentCore evaluation dataset arn:... is ..._FAILED: <reason>': {
    'a dataset AgentCore could not create': async () => {
      evaluationDataset({ status: 'CREATE_FAILED', failureReason: 'The KMS key is not accessible' });
      return poll(createEvent(TYPES.EvaluationDataset, inline([scenario('s1')])), EVAL_DATASET);
    },
    'an example write of this update that AgentCore could not apply': async () => {
      evaluationDataset({ status: 'UPDATE_FAILED', failureReason: 'Example 2 is not valid', updatedAt: new Date() });
      const event = updateEvent(TYPES.EvaluationDataset, EVAL_DATASET, inline([scenario('s1')]), inline([scenario('s1'), scenario('s2')]));
      return poll(event, EVAL_DATASET, { WaitStartedAt: Date.now() - 5_000 });
    },
  },

  'Timed out after N seconds waiting for ... to become ACTIVE; last status: ...': {
    'a dataset group still being created past its waitTimeout': async () => {
      personalize.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { datasetGroupArn: GROUP, name: 'retail', status: 'CREATE IN_PROGRESS' } });
      return poll(createEvent(TYPES.DatasetGroup, { WaitTimeoutSeconds: '60' }), GROUP, { WaitStartedAt: Date.now() - 61_000 });
    },
  },

  'Could not create ... "<name>": <reason>. The existing one was not created by this stack resource': {
    'a dataset group name taken by a group another stack made': async () => {
      personalize.on(CreateDatasetGroupCommand).rejects(serviceError('ResourceAlreadyExistsException', 'Dataset group retail already exists'));
      personalize.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: 'team', tagValue: 'other' }] });
      return onEvent(createEvent(TYPES.DatasetGroup, { Name: 'retail' }));
    },
    'an evaluation dataset name taken by a dataset made by hand': async () => {
      agentcore.on(CreateDatasetCommand).rejects(serviceError('ConflictException', "A dataset named 'checkout_eval' already exists in this account.", 409));
      agentcore.on(ListDatasetsCommand).resolves({ datasets: [{ datasetArn: EVAL_DATASET, datasetName: 'checkout_eval' } as any] });
      evaluationDataset({ tags: { team: 'other' } });
      return onEvent(createEvent(TYPES.EvaluationDataset, inline([scenario('s1')], { DatasetName: 'checkout_eval' })));
    },
  },

  'Cannot change ... of ... "<name>" (...): the service cannot change ... in place, and the replacement would need the same fixed name while the old one still exists': {
    'a new key for a dataset group with a fixed name': async () => {
      personalize.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { datasetGroupArn: GROUP, name: 'retail', status: 'ACTIVE' } });
      return onEvent(updateEvent(TYPES.DatasetGroup, GROUP, { Name: 'retail' }, { Name: 'retail', KmsKeyArn: KEY }));
    },
    'a new schema type for an evaluation dataset with a fixed name': async () => {
      evaluationDataset();
      return onEvent(updateEvent(TYPES.EvaluationDataset, EVAL_DATASET, inline([scenario('s1')], { DatasetName: 'checkout_eval' }),
        inline([scenario('s1')], { DatasetName: 'checkout_eval', SchemaType: 'AGENTCORE_EVALUATION_SIMULATED_V1' })));
    },
  },

  'Cannot change ... of Personalize ...: Personalize ... cannot be created ... while this ... exists': {
    'a dataset renamed in its group': async () =>
      onEvent(updateEvent(TYPES.Dataset, DATASET, { ...DATASET_PROPS, Name: 'a' }, { ...DATASET_PROPS, Name: 'b' })),
    'an event tracker renamed in its group': async () => {
      personalize.on(DescribeEventTrackerCommand).resolves({
        eventTracker: { eventTrackerArn: TRACKER, name: 'clicks', datasetGroupArn: GROUP, status: 'ACTIVE' },
      });
      return onEvent(updateEvent(TYPES.EventTracker, TRACKER, { DatasetGroupArn: GROUP, Name: 'clicks' }, { DatasetGroupArn: GROUP, Name: 'views' }));
    },
    'a new schema for an Interactions dataset': async () => {
      personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: DATASET, status: 'ACTIVE', schemaArn: SCHEMA_V1 } });
      personalize.on(DescribeSchemaCommand, { schemaArn: SCHEMA_V1 }).resolves({ schema: { schema: '{"type":"record","name":"Interactions","fields":[]}' } });
      personalize.on(DescribeSchemaCommand, { schemaArn: SCHEMA_V2 })
        .resolves({ schema: { schema: '{"type":"record","name":"Interactions","fields":[{"name":"X","type":"int"}]}' } });
      return onEvent(updateEvent(TYPES.Dataset, DATASET, DATASET_PROPS, { ...DATASET_PROPS, SchemaArn: SCHEMA_V2 }));
    },
  },

  'Timed out after N seconds waiting for ... to be deleted; last status: ACTIVE: ResourceInUseException: ...': {
    'a dataset group that still holds a solution made by hand': async () => {
      personalize.on(DeleteDatasetGroupCommand).rejects(serviceError('ResourceInUseException', 'Dataset group retail has a solution attached.'));
      personalize.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { datasetGroupArn: GROUP, name: 'retail', status: 'ACTIVE' } });
      const event = deleteEvent(TYPES.DatasetGroup, GROUP, { WaitTimeoutSeconds: '60' });
      const response = await onEvent(event);
      return isComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() - 61_000 }));
    },
    'a dataset an import job is still writing to': async () => {
      personalize.on(DeleteDatasetCommand).rejects(serviceError('ResourceInUseException', 'Cannot delete the dataset while an import job is in progress.'));
      personalize.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: DATASET, status: 'ACTIVE', schemaArn: SCHEMA_V1 } });
      const event = deleteEvent(TYPES.Dataset, DATASET, { ...DATASET_PROPS, WaitTimeoutSeconds: '60' });
      const response = await onEvent(event);
      return isComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() - 61_000 }));
    },
  },

  'Could not delete AgentCore evaluation dataset arn:...: DatasetInUseByEvaluationJob: the dataset is used by an active evaluation job, and AgentCore refuses to delete it (...)': {
    'a dataset an evaluation job refers to': async () => {
      agentcore.on(DeleteEvaluationDatasetCommand).rejects(serviceError('ConflictException',
        `REFERENCED_BY_EVAL_JOB: Dataset ${EVAL_ID} is in use by an evaluation job; it can be deleted once the job ends.`, 409));
      return onEvent(deleteEvent(TYPES.EvaluationDataset, EVAL_DATASET));
    },
  },

  'Could not ...: AccessDeniedException: <reason>': {
    'a create the handler role may not make': async () => {
      personalize.on(CreateDatasetGroupCommand).rejects(accessDenied('personalize:CreateDatasetGroup'));
      return onEvent(createEvent(TYPES.DatasetGroup, { Name: 'retail' }));
    },
    'a status call denied while waiting': async () => {
      personalize.on(DescribeDatasetGroupCommand).rejects(accessDenied('personalize:DescribeDatasetGroup'));
      return poll(createEvent(TYPES.DatasetGroup, {}), GROUP);
    },
    'a delete denied': async () => {
      agentcore.on(DeleteEvaluationDatasetCommand).rejects(accessDenied('bedrock-agentcore:DeleteDataset'));
      return onEvent(deleteEvent(TYPES.EvaluationDataset, EVAL_DATASET));
    },
    'a tag change denied (TagResource on an evaluation dataset)': async () => {
      evaluationDataset({ draftStatus: 'UNMODIFIED' });
      agentcore.on(TagAgentCoreResourceCommand).rejects(accessDenied('bedrock-agentcore:TagResource'));
      const event = updateEvent(TYPES.EvaluationDataset, EVAL_DATASET, inline([scenario('s1')]),
        inline([scenario('s1')], { Tags: [{ Key: 'team', Value: 'agents' }] }));
      return poll(event, EVAL_DATASET);
    },
  },

  'AgentCore evaluation dataset ...: the examples do not converge. After ... of N example(s), ListDatasetExamples still lists them differently; the first is ...': {
    'an example the service lists otherwise than it was written': async () => {
      evaluationDataset();
      // Whatever is written, the DRAFT lists the example with its input upper-cased.
      draft(scenario('s1', 'QUESTION S1'));
      agentcore.on(UpdateDatasetExamplesCommand).resolves({ datasetArn: EVAL_DATASET, datasetId: EVAL_ID, status: 'UPDATING' } as any);
      agentcore.on(AddDatasetExamplesCommand).resolves({ datasetArn: EVAL_DATASET, datasetId: EVAL_ID, status: 'UPDATING' } as any);
      return pollUntilFailure(updateEvent(TYPES.EvaluationDataset, EVAL_DATASET, inline([]), inline([scenario('s1')])), EVAL_DATASET);
    },
  },

  'AgentCore evaluation dataset ...: a new version cannot be published: ServiceQuotaExceededException: <reason>': {
    'a version refused by the quota': async () => {
      evaluationDataset();
      draft(scenario('s1'));
      agentcore.on(CreateDatasetVersionCommand).rejects(serviceError('ServiceQuotaExceededException',
        'The maximum number of versions for this dataset has been reached.', 402));
      return poll(updateEvent(TYPES.EvaluationDataset, EVAL_DATASET, inline([]), inline([scenario('s1')])), EVAL_DATASET);
    },
  },
};

/** What the handlers threw; an error of its own when they did not. */
async function failureOf(drive: () => Promise<unknown>): Promise<Error> {
  try {
    await drive();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the handlers did not fail: the case does not reach the situation of its row');
}

const rows = troubleshootingRows();

test('the Troubleshooting table has rows, each with a case, and each case has its row', () => {
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.map((r) => r.quote).filter((quote) => !CASES[quote] || Object.keys(CASES[quote]).length === 0)).toEqual([]);
  expect(Object.keys(CASES).filter((quote) => !rows.some((r) => r.quote === quote))).toEqual([]);
});

test('a quote\'s placeholders become patterns', () => {
  expect(patternOf('Timed out after N seconds; last status: ...').test('Timed out after 60 seconds; last status: ACTIVE')).toBe(true);
  expect(patternOf('Timed out after N seconds').test('Timed out after sixty seconds')).toBe(false);
  expect(patternOf('Could not delete arn:...: <reason>').test('Could not delete arn:aws:personalize:us-east-1:123456789012:schema/s: gone')).toBe(true);
  expect(patternOf('Could not delete arn:...: x').test('Could not delete schema s: x')).toBe(false);
  expect(patternOf('... (a)').test('anything (a)')).toBe(true);
  expect(patternOf('cannot be created ... while').test('cannot be created while')).toBe(true);
  expect(patternOf('cannot be created ... while').test('cannot be created in the group while')).toBe(true);
});

describe.each(rows.filter((row) => CASES[row.quote]).map((row) => [row.quote, row] as const))('%s', (_quote, row) => {
  test.each(Object.entries(CASES[row.quote]))('%s', async (_name, drive) => {
    const error = await failureOf(drive);
    expect(error.message).toMatch(row.pattern);
  });
});
