import {
  AddDatasetExamplesCommand, BedrockAgentCoreControlClient, CreateDatasetCommand, CreateDatasetVersionCommand,
  DeleteDatasetCommand, DeleteDatasetExamplesCommand, GetDatasetCommand, ListDatasetExamplesCommand, ListDatasetsCommand,
  ListDatasetVersionsCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand, UpdateDatasetCommand,
  UpdateDatasetExamplesCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { IsCompleteRequest, OnEventRequest, OnEventResponse } from '../../../lambda/core/lifecycle';
import { contextOf, ownerTagValue } from '../../../lambda/core/naming';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { setObjectStore } from '../../../lambda/objects';
import { OWNER_TAG_KEY } from '../../../src/contract';
import {
  completeEvent, createEvent, deleteEvent, EVALUATION_DATASET_ARN as ARN, EVALUATION_DATASET_ID as ID, KMS_KEY_ARN as KEY,
  PREDEFINED_SCHEMA_TYPE as PREDEFINED, Properties, serviceError, updateEvent,
} from '../fixtures';
import {
  alreadyGoneIsDeleted, expectCreated, failedCreateNeedsNoCall, subjectOf, unexpectedDeleteErrorFails, unmanagedTypeIsRefused,
  waitBoundChangeCallsNothing,
} from '../shared-cases';

const TYPE = 'Custom::AgentCoreEvaluationDataset';
const NEW_ID = 'checkout_eval_v2-f6e7d8c9b0';
const NEW_ARN = `arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/${NEW_ID}`;
const S3_URI = 's3://evals-bucket/evals/checkout.jsonl';
const TOKEN = /^[0-9a-f]{64}$/;
const agentcore = mockClient(BedrockAgentCoreControlClient);
const OWNER = ownerTagValue(contextOf(createEvent(TYPE, {})));
const subject = subjectOf(TYPE, ARN, agentcore, { describe: GetDatasetCommand, delete: DeleteDatasetCommand });

/** The S3 files the handler may read (an S3 source changed by an update). */
let files: Record<string, string>;

beforeEach(() => {
  agentcore.reset();
  resetHandlers();
  files = {};
  setObjectStore({
    copy: async () => undefined,
    exists: async () => false,
    remove: async () => undefined,
    read: async ({ bucket, key }) => {
      const text = files[`s3://${bucket}/${key}`];
      if (text === undefined) throw serviceError('NoSuchKey', 'The specified key does not exist.', 404);
      return text;
    },
  });
});

const jsonl = (examples: Example[]) => examples.map((e) => JSON.stringify(e)).join('\n');
beforeAll(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));

type Example = Record<string, unknown>;
const scenario = (id: string, input = `question ${id}`): Example => ({ scenario_id: id, turns: [{ input }] });
const scenarios = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => scenario(`${prefix}${i}`));
const inline = (examples: Example[], extra: Properties = {}): Properties =>
  ({ SchemaType: PREDEFINED, InlineExamples: JSON.stringify(examples), ...extra });

/**
 * A dataset as the service keeps it: a DRAFT of examples, published versions and tags. Each write
 * makes it UPDATING; settle() applies the wait (it turns ACTIVE again).
 */
class FakeDataset {
  status = 'ACTIVE';
  failureReason?: string;
  /** The next example write fails: the dataset settles UPDATE_FAILED with this reason. */
  failNextWrite?: string;
  draft = new Map<string, Example>();
  modified = true;
  versions: string[] = [];
  description?: string;
  tags: Record<string, string> = {};
  /** When the last write or status change happened (GetDataset's updatedAt). */
  updatedAt = new Date(Date.now() - 60_000);
  private next = 0;

  constructor(examples: Example[] = [], readonly s3: Record<string, Example[]> = {}) {
    examples.forEach((e) => this.add(e));
    agentcore.on(GetDatasetCommand).callsFake(() => ({
      datasetArn: ARN,
      datasetId: ID,
      datasetName: 'checkout_eval',
      status: this.status,
      failureReason: this.failureReason,
      description: this.description,
      draftStatus: this.modified ? 'MODIFIED' : 'UNMODIFIED',
      exampleCount: this.draft.size,
      schemaType: PREDEFINED,
      tags: { ...this.tags },
      updatedAt: this.updatedAt,
    }));
    agentcore.on(ListDatasetExamplesCommand).callsFake((input) => {
      const all = [...this.draft].map(([exampleId, content]) => ({ exampleId, ...content }));
      const offset = Number(input.nextToken ?? 0);
      const end = offset + (input.maxResults ?? 100);
      const nextToken = end < all.length ? String(end) : undefined;
      return { datasetArn: ARN, datasetId: ID, datasetVersion: 'DRAFT', examples: all.slice(offset, end), nextToken };
    });
    agentcore.on(AddDatasetExamplesCommand).callsFake((input) => {
      const added = input.source.inlineExamples?.examples ?? this.s3[input.source.s3Source.s3Uri];
      return this.write(() => added.forEach((e: Example) => this.add(e)));
    });
    agentcore.on(UpdateDatasetExamplesCommand).callsFake((input) => this.write(() => {
      for (const { exampleId, ...content } of input.examples) this.draft.set(exampleId, content);
    }));
    agentcore.on(DeleteDatasetExamplesCommand).callsFake((input) => this.write(() => {
      for (const id of input.exampleIds) this.draft.delete(id);
    }));
    agentcore.on(CreateDatasetVersionCommand).callsFake(() => {
      this.versions.unshift(String(this.versions.length + 1));
      this.status = 'UPDATING';
      this.updatedAt = new Date();
      this.modified = false;
      return { datasetArn: ARN, datasetId: ID, status: 'UPDATING', datasetVersion: this.versions[0] };
    });
    agentcore.on(ListDatasetVersionsCommand).callsFake((input) => ({
      versions: this.versions.slice(0, input.maxResults ?? 100).map((v) => ({ datasetVersion: v, exampleCount: this.draft.size })),
    }));
    agentcore.on(UpdateDatasetCommand).callsFake((input) => {
      // The status stays as it is (UpdateDataset is allowed from UPDATE_FAILED); updatedAt moves.
      this.description = input.description;
      this.updatedAt = new Date();
      return { datasetArn: ARN, datasetId: ID, updatedAt: this.updatedAt };
    });
    agentcore.on(ListTagsForResourceCommand).callsFake(() => ({ tags: { ...this.tags } }));
    agentcore.on(TagResourceCommand).callsFake((input) => {
      Object.assign(this.tags, input.tags);
      return {};
    });
    agentcore.on(UntagResourceCommand).callsFake((input) => {
      input.tagKeys.forEach((k: string) => delete this.tags[k]);
      return {};
    });
  }

  get examples(): Example[] {
    return [...this.draft.values()];
  }

  settle(): void {
    if (this.status === 'UPDATING' && this.failNextWrite) {
      [this.status, this.failureReason, this.failNextWrite] = ['UPDATE_FAILED', this.failNextWrite, undefined];
      return;
    }
    if (this.status === 'UPDATE_FAILED') return;
    this.status = 'ACTIVE';
  }

  private add(example: Example): void {
    this.draft.set(`ex-${++this.next}`, example);
  }

  private write(apply: () => void) {
    // Example writes are refused while CREATING or UPDATING; from UPDATE_FAILED they are allowed (API reference).
    if (this.status !== 'ACTIVE' && this.status !== 'UPDATE_FAILED') {
      throw serviceError('ConflictException', `DATASET_NOT_READY: Dataset ${ID} is ${this.status}.`, 409);
    }
    apply();
    this.status = 'UPDATING';
    this.modified = true;
    this.updatedAt = new Date();
    return { datasetArn: ARN, datasetId: ID, status: 'UPDATING' };
  }
}

/** Calls isComplete as the Provider framework does, letting the fake settle between polls. */
async function untilComplete(event: IsCompleteRequest, fake: FakeDataset, maxPolls = 20) {
  for (let poll = 1; poll <= maxPolls; poll++) {
    const result = await isComplete(event);
    if (result.IsComplete) return { result, polls: poll };
    fake.settle();
  }
  throw new Error(`not complete after ${maxPolls} polls`);
}

/** The request of a poll a few seconds into the wait (the core skips the status call of the poll straight after a create). */
function started(event: OnEventRequest, response: OnEventResponse): IsCompleteRequest {
  return completeEvent(event, { ...response, WaitStartedAt: Date.now() - 5_000 });
}

const tokensOf = (command: any) => agentcore.commandCalls(command).map((c) => (c.args[0].input as { clientToken?: string }).clientToken);

describe('create', () => {
  test('creates with the fixed name, description, schema type, key, examples, the user tags and the ownership tag', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: ARN, datasetId: ID, status: 'CREATING' });
    const response = await onEvent(createEvent(TYPE, inline([scenario('s1')], {
      DatasetName: 'checkout_eval', Description: 'Checkout regressions', KmsKeyArn: KEY, Tags: [{ Key: 'team', Value: 'agents' }],
    })));
    expect(agentcore).toHaveReceivedCommandWith(CreateDatasetCommand, {
      datasetName: 'checkout_eval',
      description: 'Checkout regressions',
      schemaType: PREDEFINED,
      kmsKeyArn: KEY,
      source: { inlineExamples: { examples: [scenario('s1')] } },
      tags: { team: 'agents', [OWNER_TAG_KEY]: OWNER },
    });
    expect(tokensOf(CreateDatasetCommand)[0]).toMatch(TOKEN);
    expectCreated(response, ARN, { EvaluationDatasetArn: ARN, EvaluationDatasetId: ID });
  });

  test('generates a lower-case name from the stack and logical id, the same for a retried request', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: ARN });
    await onEvent(createEvent(TYPE, inline([scenario('s1')])));
    await onEvent(createEvent(TYPE, inline([scenario('s1')])));
    await onEvent(createEvent(TYPE, inline([scenario('s1')]), { RequestId: 'another-request' }));
    const names = agentcore.commandCalls(CreateDatasetCommand).map((c) => c.args[0].input.datasetName!);
    expect(names[0]).toMatch(/^recommendations_retail1a2b3c4d_[0-9a-f]{12}$/);
    expect(names[0]).toMatch(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/);
    expect(names[1]).toBe(names[0]);
    expect(names[2]).not.toBe(names[0]);
  });

  test('a generated name stays within 48 characters and starts with a letter', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: ARN });
    await onEvent(createEvent(TYPE, inline([scenario('s1')]), {
      StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${'Stack-Name'.repeat(12)}/guid`,
      LogicalResourceId: 'L'.repeat(200),
    }));
    const name = agentcore.commandCalls(CreateDatasetCommand)[0].args[0].input.datasetName!;
    expect(name.length).toBeLessThanOrEqual(48);
    expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  test('an S3 source is passed as s3Source: the service reads the file', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: ARN });
    await onEvent(createEvent(TYPE, { SchemaType: PREDEFINED, S3Uri: S3_URI }));
    expect(agentcore).toHaveReceivedCommandWith(CreateDatasetCommand, {
      source: { s3Source: { s3Uri: S3_URI } },
      tags: { [OWNER_TAG_KEY]: OWNER },
    });
  });

  test('once an S3-sourced dataset is ACTIVE, its version is published; the file is not read again', async () => {
    const fake = new FakeDataset(scenarios(3, 'file'));
    const event = createEvent(TYPE, { SchemaType: PREDEFINED, S3Uri: S3_URI });
    const { result } = await untilComplete(started(event, { PhysicalResourceId: ARN }), fake);
    expect(result.Data!.DatasetVersion).toBe('1');
    expect(agentcore).not.toHaveReceivedCommand(ListDatasetExamplesCommand);
  });

  test('a retried create sends the same clientToken, so the service returns the same dataset; another request sends another', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: ARN, datasetId: ID, status: 'CREATING' });
    const first = await onEvent(createEvent(TYPE, inline([scenario('s1')])));
    const retry = await onEvent(createEvent(TYPE, inline([scenario('s1')])));
    await onEvent(createEvent(TYPE, inline([scenario('s1')]), { RequestId: 'c0ffee00-replacement' }));
    const tokens = tokensOf(CreateDatasetCommand);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(tokens.every((t) => TOKEN.test(t!))).toBe(true);
    expect(retry.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(agentcore).not.toHaveReceivedCommand(ListDatasetsCommand);
  });

  test('a retried create whose name is taken by this stack resource adopts it (names compare without case)', async () => {
    agentcore.on(CreateDatasetCommand).rejects(serviceError('ConflictException', "A dataset named 'Checkout_Eval' already exists in this account.", 409));
    agentcore.on(ListDatasetsCommand)
      .resolvesOnce({ datasets: [{ datasetArn: 'arn:aws:bedrock-agentcore:us-east-1:123456789012:dataset/other-1', datasetName: 'other' } as any], nextToken: 'p2' })
      .resolvesOnce({ datasets: [{ datasetArn: ARN, datasetName: 'Checkout_Eval' } as any] });
    agentcore.on(GetDatasetCommand).resolves({ datasetArn: ARN, datasetId: ID, tags: { [OWNER_TAG_KEY]: OWNER } } as any);
    const response = await onEvent(createEvent(TYPE, inline([scenario('s1')], { DatasetName: 'checkout_eval' })));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(agentcore).toHaveReceivedCommandWith(ListDatasetsCommand, { nextToken: 'p2' });
    // Tags are read from GetDataset, which documents them; ListTagsForResource is not needed.
    expect(agentcore).toHaveReceivedCommandWith(GetDatasetCommand, { datasetId: ID });
    expect(agentcore).not.toHaveReceivedCommand(ListTagsForResourceCommand);
    expect(agentcore).toHaveReceivedCommandTimes(CreateDatasetCommand, 1);
  });

  test('a name taken by someone else fails and leaves that dataset alone', async () => {
    agentcore.on(CreateDatasetCommand).rejects(serviceError('ConflictException', "A dataset named 'checkout_eval' already exists in this account.", 409));
    agentcore.on(ListDatasetsCommand).resolves({ datasets: [{ datasetArn: ARN, datasetName: 'checkout_eval' } as any] });
    agentcore.on(GetDatasetCommand).resolves({ datasetArn: ARN, datasetId: ID, tags: { team: 'other' } } as any);
    await expect(onEvent(createEvent(TYPE, inline([scenario('s1')], { DatasetName: 'checkout_eval' }))))
      .rejects.toThrow(/already exists.*not created by this stack resource/);
    expect(agentcore).not.toHaveReceivedCommand(DeleteDatasetCommand);
    expect(agentcore).not.toHaveReceivedCommand(TagResourceCommand);
  });

  test('a name conflict whose holder cannot be found fails without adopting anything', async () => {
    agentcore.on(CreateDatasetCommand).rejects(serviceError('ConflictException', "A dataset named 'checkout_eval' already exists in this account.", 409));
    agentcore.on(ListDatasetsCommand).resolves({ datasets: [] });
    await expect(onEvent(createEvent(TYPE, inline([scenario('s1')], { DatasetName: 'checkout_eval' }))))
      .rejects.toThrow(/already exists.*not created by this stack resource/);
    expect(agentcore).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  test.each([
    [{ SchemaType: PREDEFINED }, /needs InlineExamples \(a JSON array\) or S3Uri/],
    [{ SchemaType: PREDEFINED, InlineExamples: '{"scenario_id":"s1"}' }, /InlineExamples must be a JSON array of objects/],
  ])('properties without a usable source are an error: %j', async (properties, message) => {
    await expect(onEvent(createEvent(TYPE, properties))).rejects.toThrow(message);
    expect(agentcore.calls()).toHaveLength(0);
  });

  test('a create rejected by the service passes its reason through', async () => {
    agentcore.on(CreateDatasetCommand).rejects(serviceError('ValidationException', 'Example 0 does not match AGENTCORE_EVALUATION_PREDEFINED_V1'));
    await expect(onEvent(createEvent(TYPE, inline([scenario('s1')], { DatasetName: 'checkout_eval' }))))
      .rejects.toThrow('Could not create AgentCore evaluation dataset "checkout_eval": ValidationException: Example 0 does not match');
  });

  test('waits while CREATING; CREATE_FAILED fails with the failureReason', async () => {
    const event = started(createEvent(TYPE, inline([scenario('s1')])), { PhysicalResourceId: ARN });
    agentcore.on(GetDatasetCommand)
      .resolvesOnce({ status: 'CREATING', datasetName: 'x' })
      .resolvesOnce({ status: 'CREATE_FAILED', failureReason: 'Line 3 of the source is not valid JSON' });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event)).rejects.toThrow(`AgentCore evaluation dataset ${ARN} is CREATE_FAILED: Line 3 of the source is not valid JSON`);
    expect(agentcore).toHaveReceivedCommandWith(GetDatasetCommand, { datasetId: ID });
  });

  test('once ACTIVE with the examples in place, publishes a version once and completes with it', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    const event = started(createEvent(TYPE, inline([scenario('s1')])), { PhysicalResourceId: ARN });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(agentcore).toHaveReceivedCommandTimes(CreateDatasetVersionCommand, 1);
    expect(tokensOf(CreateDatasetVersionCommand)[0]).toMatch(TOKEN);
    fake.settle();
    await expect(isComplete(event)).resolves.toEqual({
      IsComplete: true,
      Data: { EvaluationDatasetArn: ARN, EvaluationDatasetId: ID, EvaluationDatasetName: 'checkout_eval', DatasetVersion: '1' },
    });
    expect(agentcore).toHaveReceivedCommandTimes(CreateDatasetVersionCommand, 1);
    expect(agentcore).not.toHaveReceivedCommand(AddDatasetExamplesCommand);
  });

  test('more than 1000 inline examples: the first 1000 go with CreateDataset, the rest through reconcile', async () => {
    const wanted = scenarios(1700);
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: ARN });
    const event = createEvent(TYPE, inline(wanted));
    const response = await onEvent(event);
    const sent = agentcore.commandCalls(CreateDatasetCommand)[0].args[0].input.source!.inlineExamples!.examples!;
    expect(sent).toEqual(wanted.slice(0, 1000));

    const fake = new FakeDataset(sent as Example[]);
    const { result } = await untilComplete(started(event, response), fake);
    expect(agentcore).toHaveReceivedCommandTimes(AddDatasetExamplesCommand, 1);
    expect(agentcore.commandCalls(AddDatasetExamplesCommand)[0].args[0].input.source!.inlineExamples!.examples).toEqual(wanted.slice(1000));
    expect(fake.examples).toEqual(wanted);
    expect(result.Data!.DatasetVersion).toBe('1');
  });

  test('DATASET_NOT_READY while changing examples is waited for, not a failure', async () => {
    const fake = new FakeDataset([]);
    agentcore.on(AddDatasetExamplesCommand).rejectsOnce(serviceError('ConflictException', `DATASET_NOT_READY: Dataset ${ID} is UPDATING.`, 409));
    const event = started(createEvent(TYPE, inline([scenario('s1')])), { PhysicalResourceId: ARN });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(fake.examples).toEqual([]);
  });

  test('a version refused because the dataset failed (DATASET_IN_FAILED_STATE) fails the deployment with the reason', async () => {
    new FakeDataset([scenario('s1')]);
    agentcore.on(CreateDatasetVersionCommand).rejects(serviceError('ConflictException', `DATASET_IN_FAILED_STATE: Dataset ${ID} is UPDATE_FAILED.`, 409));
    await expect(isComplete(started(createEvent(TYPE, inline([scenario('s1')])), { PhysicalResourceId: ARN })))
      .rejects.toThrow(`AgentCore evaluation dataset ${ARN}: ConflictException: DATASET_IN_FAILED_STATE`);
  });

  test('throttling while waiting is not a failure: the next poll tries again', async () => {
    agentcore.on(GetDatasetCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded', 429));
    await expect(isComplete(started(createEvent(TYPE, inline([scenario('s1')])), { PhysicalResourceId: ARN })))
      .resolves.toEqual({ IsComplete: false });
  });

  test('the wait fails with the last status once the resource\'s own bound has passed', async () => {
    agentcore.on(GetDatasetCommand).resolves({ status: 'CREATING' });
    const event = createEvent(TYPE, inline([scenario('s1')], { WaitTimeoutSeconds: '60' }));
    await expect(isComplete(completeEvent(event, { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 61_000 })))
      .rejects.toThrow(/Timed out after 60 seconds .* to become ACTIVE; last status: CREATING/);
  });
});

describe('update', () => {
  test('a description change is applied in place with UpdateDataset', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    fake.modified = false;
    fake.versions = ['3'];
    fake.description = 'old';
    const event = updateEvent(TYPE, ARN, inline([scenario('s1')], { Description: 'old' }), inline([scenario('s1')], { Description: 'new' }));
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    const { result } = await untilComplete(started(event, response), fake);
    expect(agentcore).toHaveReceivedCommandWith(UpdateDatasetCommand, { datasetId: ID, description: 'new' });
    expect(tokensOf(UpdateDatasetCommand)[0]).toMatch(TOKEN);
    expect(fake.description).toBe('new');
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetCommand);
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetVersionCommand);
    expect(result.Data!.DatasetVersion).toBe('3');
  });

  test('removing the description clears it', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    fake.description = 'old';
    fake.modified = false;
    fake.versions = ['1'];
    const event = updateEvent(TYPE, ARN, inline([scenario('s1')], { Description: 'old' }), inline([scenario('s1')]));
    await untilComplete(started(event, await onEvent(event)), fake);
    expect(agentcore).toHaveReceivedCommandWith(UpdateDatasetCommand, { datasetId: ID, description: '' });
  });

  test('a change of tags only is applied in place once the dataset is ACTIVE', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    fake.modified = false;
    fake.versions = ['1'];
    fake.tags = { team: 'agents', old: 'x', [OWNER_TAG_KEY]: OWNER };
    const event = updateEvent(TYPE, ARN,
      inline([scenario('s1')], { Tags: [{ Key: 'team', Value: 'agents' }, { Key: 'old', Value: 'x' }] }),
      inline([scenario('s1')], { Tags: [{ Key: 'team', Value: 'evals' }] }));
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    await untilComplete(started(event, response), fake);
    expect(agentcore).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ARN, tagKeys: ['old'] });
    expect(agentcore).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ARN, tags: { team: 'evals' } });
    expect(fake.tags).toEqual({ team: 'evals', [OWNER_TAG_KEY]: OWNER });
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetCommand);
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetVersionCommand); // the examples did not change
  });

  test('an examples change keeps the dataset: changed ones are updated in place, extra ones deleted, missing ones added, then a version', async () => {
    const fake = new FakeDataset([scenario('s1'), scenario('s2', 'old'), scenario('s3')]);
    fake.modified = false;
    fake.versions = ['1'];
    const wanted = [scenario('s1'), scenario('s2', 'new'), scenario('s4')];
    const event = updateEvent(TYPE, ARN, inline([scenario('s1'), scenario('s2', 'old'), scenario('s3')]), inline(wanted));
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(agentcore.calls()).toHaveLength(0); // onEvent writes nothing: the follow-up does, once ACTIVE

    const { result } = await untilComplete(started(event, response), fake);
    // s2 is updated in place (same id); s3 has no counterpart with its scenario_id, so it is reused for s4.
    expect(agentcore).toHaveReceivedCommandWith(UpdateDatasetExamplesCommand, {
      datasetId: ID,
      examples: [{ ...scenario('s2', 'new'), exampleId: 'ex-2' }, { ...scenario('s4'), exampleId: 'ex-3' }],
    });
    expect(fake.draft.get('ex-2')).toEqual(scenario('s2', 'new'));
    expect(fake.examples).toEqual(wanted);
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetCommand);
    expect(result.Data).toEqual({ EvaluationDatasetArn: ARN, EvaluationDatasetId: ID, EvaluationDatasetName: 'checkout_eval', DatasetVersion: '2' });
  });

  test('an examples change of more than one batch: adds and deletes go 1000 at a time, one call per poll', async () => {
    const before = scenarios(1500, 'old');
    const wanted = scenarios(2500, 'new');
    // No scenario_id in common and more wanted than listed: 1500 updates, then 1000 adds.
    const fake = new FakeDataset(before);
    const event = updateEvent(TYPE, ARN, inline(before), inline(wanted));
    const { polls } = await untilComplete(started(event, await onEvent(event)), fake);
    expect(agentcore.commandCalls(UpdateDatasetExamplesCommand).map((c) => c.args[0].input.examples!.length)).toEqual([1000, 500]);
    expect(agentcore.commandCalls(AddDatasetExamplesCommand).map((c) => c.args[0].input.source!.inlineExamples!.examples!.length)).toEqual([1000]);
    expect(fake.examples).toHaveLength(2500);
    expect(new Set(fake.examples.map((e) => e.scenario_id))).toEqual(new Set(wanted.map((e) => e.scenario_id)));
    expect(polls).toBe(5); // update, update, add, publish, done
    const tokens = [...tokensOf(UpdateDatasetExamplesCommand), ...tokensOf(AddDatasetExamplesCommand)];
    expect(new Set(tokens).size).toBe(tokens.length);

    agentcore.resetHistory();
    const shrink = updateEvent(TYPE, ARN, inline(wanted), inline(wanted.slice(0, 300)), { RequestId: 'shrink' });
    await untilComplete(started(shrink, await onEvent(shrink)), fake);
    expect(agentcore.commandCalls(DeleteDatasetExamplesCommand).map((c) => c.args[0].input.exampleIds!.length)).toEqual([1000, 1000, 200]);
    expect(fake.examples).toEqual(wanted.slice(0, 300));
  });

  test('example calls stay within 4 MiB', async () => {
    const big = (i: number) => scenario(`big${i}`, 'x'.repeat(1024 * 1024));
    const fake = new FakeDataset([]);
    const event = updateEvent(TYPE, ARN, inline([]), inline([1, 2, 3, 4, 5].map(big)));
    await untilComplete(started(event, await onEvent(event)), fake);
    expect(agentcore.commandCalls(AddDatasetExamplesCommand).map((c) => c.args[0].input.source!.inlineExamples!.examples!.length)).toEqual([3, 2]);
  });

  test('an example that vanished before the write is compared again on the next poll', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    agentcore.on(DeleteDatasetExamplesCommand).rejectsOnce(serviceError('ResourceNotFoundException', 'Examples not found in the DRAFT: ex-1', 404));
    const event = started(updateEvent(TYPE, ARN, inline([scenario('s1')]), inline([])), { PhysicalResourceId: ARN });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(fake.examples).toEqual([scenario('s1')]);
  });

  test('a changed S3 source: the handler reads the new file and brings the DRAFT to its examples, then publishes', async () => {
    const NEW_URI = 's3://evals-bucket/evals/checkout-v2.jsonl';
    const fake = new FakeDataset(scenarios(1500, 'old'));
    fake.modified = false;
    fake.versions = ['1'];
    files[NEW_URI] = jsonl(scenarios(3, 'new'));
    const event = updateEvent(TYPE, ARN, { SchemaType: PREDEFINED, S3Uri: S3_URI }, { SchemaType: PREDEFINED, S3Uri: NEW_URI });
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);

    const { result } = await untilComplete(started(event, response), fake);
    // No example in common: 3 are reused in place for the new ones, the other 1497 deleted, 1000 at a time.
    expect(agentcore.commandCalls(UpdateDatasetExamplesCommand).map((c) => c.args[0].input.examples!.length)).toEqual([3]);
    expect(agentcore.commandCalls(DeleteDatasetExamplesCommand).map((c) => c.args[0].input.exampleIds!.length)).toEqual([1000, 497]);
    expect(agentcore).not.toHaveReceivedCommand(AddDatasetExamplesCommand);
    expect(fake.examples).toEqual(scenarios(3, 'new'));
    expect(result.Data!.DatasetVersion).toBe('2');
  });

  test('an interrupted S3 change picks up where it stopped: what the DRAFT holds is compared with the file again', async () => {
    files[S3_URI] = jsonl(scenarios(3, 'new'));
    const event = started(updateEvent(TYPE, ARN, { SchemaType: PREDEFINED, S3Uri: 's3://b/old.jsonl' }, { SchemaType: PREDEFINED, S3Uri: S3_URI }),
      { PhysicalResourceId: ARN });
    // Stopped after the first two examples were added: only the third is added.
    const partly = new FakeDataset(scenarios(2, 'new'));
    await untilComplete(event, partly);
    expect(agentcore.commandCalls(AddDatasetExamplesCommand).map((c) => c.args[0].input.source!.inlineExamples!.examples)).toEqual([[scenario('new2')]]);
    expect(agentcore).not.toHaveReceivedCommand(DeleteDatasetExamplesCommand);
    expect(partly.examples).toEqual(scenarios(3, 'new'));
  });

  test('an S3 source file that cannot be read fails with S3\'s reason', async () => {
    const fake = new FakeDataset([]);
    const event = updateEvent(TYPE, ARN, { SchemaType: PREDEFINED, S3Uri: S3_URI }, { SchemaType: PREDEFINED, S3Uri: 's3://evals-bucket/missing.jsonl' });
    await expect(untilComplete(started(event, await onEvent(event)), fake)).rejects.toThrow(/NoSuchKey: The specified key does not exist/);
  });

  test('examples the service lists with extra members, in another member order, are the same examples', async () => {
    const fake = new FakeDataset([{ turns: [{ input: 'question s1' }], scenario_id: 's1', createdAt: '2026-12-01T00:00:00Z' }]);
    fake.modified = false;
    fake.versions = ['1'];
    const event = updateEvent(TYPE, ARN, inline([]), inline([scenario('s1')]));
    await untilComplete(started(event, await onEvent(event)), fake);
    expect(agentcore).not.toHaveReceivedCommand(UpdateDatasetExamplesCommand);
    expect(agentcore).not.toHaveReceivedCommand(AddDatasetExamplesCommand);
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetVersionCommand);
  });

  test('a write that leaves the listing as it was is not sent again: the example that does not converge is named', async () => {
    const fake = new FakeDataset([]);
    // The service "stores" the example differently from how it was written.
    agentcore.on(AddDatasetExamplesCommand).callsFake(() => {
      fake.draft.set('ex-9', { scenario_id: 's1', turns: [{ input: 'QUESTION S1' }] });
      fake.status = 'UPDATING';
      return { datasetArn: ARN, datasetId: ID, status: 'UPDATING' };
    });
    agentcore.on(UpdateDatasetExamplesCommand).callsFake(() => {
      fake.status = 'UPDATING';
      return { datasetArn: ARN, datasetId: ID, status: 'UPDATING' };
    });
    const event = updateEvent(TYPE, ARN, inline([]), inline([scenario('s1')]));
    await expect(untilComplete(started(event, await onEvent(event)), fake))
      .rejects.toThrow(/examples do not converge. After UpdateDatasetExamples of 1 example\(s\), ListDatasetExamples still lists them differently; the first is \{"scenario_id":"s1"/);
    expect(agentcore).toHaveReceivedCommandTimes(UpdateDatasetExamplesCommand, 1);
  });

  test('a page too large for the service (over 5 MB) is asked again at half the size', async () => {
    const fake = new FakeDataset(scenarios(3));
    fake.modified = false;
    fake.versions = ['1'];
    const tooLarge = serviceError('ValidationException', 'Response size exceeds the 5 MB limit. Use a smaller maxResults.', 400);
    agentcore.on(ListDatasetExamplesCommand, { maxResults: 100 }).rejects(tooLarge);
    agentcore.on(ListDatasetExamplesCommand, { maxResults: 50 }).rejects(tooLarge);
    const event = updateEvent(TYPE, ARN, inline([]), inline(scenarios(3)));
    await untilComplete(started(event, await onEvent(event)), fake);
    expect(agentcore.commandCalls(ListDatasetExamplesCommand).map((c) => c.args[0].input.maxResults)).toEqual([100, 50, 25]);
  });

  test('a dataset left UPDATE_FAILED by an earlier request (the one being rolled back) is brought to the request\'s examples, then published', async () => {
    const fake = new FakeDataset([scenario('s1'), scenario('s2'), scenario('s3')]);
    fake.status = 'UPDATE_FAILED';
    fake.failureReason = 'Example 3 is not valid';
    const event = updateEvent(TYPE, ARN, inline([scenario('s1'), scenario('s2'), scenario('s3')]), inline([scenario('s1'), scenario('s2')]));
    const response = await onEvent(event);
    expect(agentcore.calls()).toHaveLength(0);
    const { result } = await untilComplete(started(event, response), fake);
    expect(result.IsComplete).toBe(true);
    expect(fake.status).toBe('ACTIVE');
    expect(fake.examples).toEqual([scenario('s1'), scenario('s2')]);
    // The version published is of the restored DRAFT, after the write: not of the partly modified one.
    const order = agentcore.calls().map((c) => c.args[0].constructor.name).filter((n) => /Examples|Version/.test(n) && !n.startsWith('List'));
    expect(order).toEqual(['DeleteDatasetExamplesCommand', 'CreateDatasetVersionCommand']);
  });

  test('a dataset left UPDATE_FAILED by an earlier request that also changed the description: repaired first, then the description', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    fake.status = 'UPDATE_FAILED';
    fake.failureReason = 'Example 2 is not valid';
    fake.description = 'new';
    const event = updateEvent(TYPE, ARN, inline([scenario('s1'), scenario('s2')], { Description: 'new' }), inline([scenario('s1')], { Description: 'old' }));
    const { result } = await untilComplete(started(event, await onEvent(event)), fake);
    expect(result.IsComplete).toBe(true);
    expect([fake.status, fake.description]).toEqual(['ACTIVE', 'old']);
    const order = agentcore.calls().map((c) => c.args[0].constructor.name).filter((n) => /^(Update|Create)Dataset/.test(n));
    expect(order).toEqual(['CreateDatasetVersionCommand', 'UpdateDatasetCommand']);
  });

  test('a failure a moment before this request (a rollback sent at once) is still an earlier request\'s: repaired, not reported', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    fake.status = 'UPDATE_FAILED';
    fake.failureReason = 'Example 2 is not valid';
    const event = updateEvent(TYPE, ARN, inline([scenario('s1'), scenario('s2')]), inline([scenario('s1')]));
    const response = await onEvent(event);
    fake.updatedAt = new Date(Number(response.WaitStartedAt) - 200);
    const { result } = await untilComplete(completeEvent(event, response), fake);
    expect(result.IsComplete).toBe(true);
    expect(fake.status).toBe('ACTIVE');
    expect(agentcore).toHaveReceivedCommand(CreateDatasetVersionCommand);
  });

  test('an example change that fails during this request still fails it, with the service\'s reason', async () => {
    const fake = new FakeDataset([scenario('s1')]);
    const event = updateEvent(TYPE, ARN, inline([scenario('s1')]), inline([scenario('s1'), scenario('s2')]));
    const response = await onEvent(event);
    fake.failNextWrite = 'Example 2 is not valid JSON for the schema type';
    await expect(untilComplete(completeEvent(event, { ...response, WaitStartedAt: Date.now() - 1_000 }), fake))
      .rejects.toThrow(/UPDATE_FAILED: Example 2 is not valid JSON for the schema type/);
    expect(agentcore).not.toHaveReceivedCommand(CreateDatasetVersionCommand);
  });

  test('switching from an S3 source to inline examples brings the tags and the examples to the request', async () => {
    const fake = new FakeDataset(scenarios(2, 'file'));
    fake.tags = { [OWNER_TAG_KEY]: OWNER };
    const event = updateEvent(TYPE, ARN, { SchemaType: PREDEFINED, S3Uri: S3_URI }, inline([scenario('s1')], { Tags: [{ Key: 'team', Value: 'evals' }] }));
    const response = await onEvent(event);
    expect(agentcore.calls()).toHaveLength(0);
    await untilComplete(started(event, response), fake);
    expect(fake.examples).toEqual([scenario('s1')]);
    expect(fake.tags).toEqual({ [OWNER_TAG_KEY]: OWNER, team: 'evals' });
  });

  test('a change of schema type replaces a dataset with a generated name under a new name', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: NEW_ARN });
    const response = await onEvent(updateEvent(TYPE, ARN, inline([scenario('s1')]),
      { SchemaType: 'THIRD_PARTY_EVALUATION_V1', InlineExamples: JSON.stringify([{ input: 'hi' }]) }));
    expect(response.PhysicalResourceId).toBe(NEW_ARN);
    const input = agentcore.commandCalls(CreateDatasetCommand)[0].args[0].input;
    expect(input.schemaType).toBe('THIRD_PARTY_EVALUATION_V1');
    expect(input.datasetName).toMatch(/^recommendations_retail1a2b3c4d_[0-9a-f]{12}$/);
  });

  test('a fixed name that would need replacing (new key) fails before any change, saying what to do', async () => {
    agentcore.on(GetDatasetCommand).resolves({ datasetArn: ARN, datasetId: ID, datasetName: 'checkout_eval', schemaType: PREDEFINED });
    await expect(onEvent(updateEvent(TYPE, ARN, inline([scenario('s1')], { DatasetName: 'checkout_eval' }),
      inline([scenario('s1')], { DatasetName: 'checkout_eval', KmsKeyArn: KEY }))))
      .rejects.toThrow(/Cannot change KmsKeyArn of AgentCore evaluation dataset "checkout_eval".*Nothing was changed.*Remove the name/);
    expect(agentcore.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetDatasetCommand']);
  });

  test('CloudFormation rolling that refusal back asks for what the dataset has: no change, no error', async () => {
    agentcore.on(GetDatasetCommand).resolves({ datasetArn: ARN, datasetId: ID, datasetName: 'checkout_eval', schemaType: PREDEFINED });
    const response = await onEvent(updateEvent(TYPE, ARN, inline([scenario('s1')], { DatasetName: 'checkout_eval', KmsKeyArn: KEY }),
      inline([scenario('s1')], { DatasetName: 'checkout_eval' })));
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(agentcore.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetDatasetCommand']);
  });

  test('a rename that only changes case is refused before any call: names are unique regardless of case', async () => {
    await expect(onEvent(updateEvent(TYPE, ARN, inline([scenario('s1')], { DatasetName: 'checkout_eval' }),
      inline([scenario('s1')], { DatasetName: 'Checkout_Eval' }))))
      .rejects.toThrow(/Cannot rename AgentCore evaluation dataset "checkout_eval" to "Checkout_Eval".*regardless of case.*Nothing was changed/);
    expect(agentcore.calls()).toHaveLength(0);
  });

  test('a new fixed name is a replacement under that name', async () => {
    agentcore.on(CreateDatasetCommand).resolves({ datasetArn: NEW_ARN });
    const response = await onEvent(updateEvent(TYPE, ARN, inline([scenario('s1')], { DatasetName: 'checkout_eval' }),
      inline([scenario('s1')], { DatasetName: 'checkout_eval_v2' })));
    expect(response.PhysicalResourceId).toBe(NEW_ARN);
    expect(agentcore).toHaveReceivedCommandWith(CreateDatasetCommand, { datasetName: 'checkout_eval_v2' });
  });

  waitBoundChangeCallsNothing(subject, { title: 'a change of the wait bound alone calls nothing in onEvent', properties: inline([scenario('s1')]) });
});

describe('delete', () => {
  test('deletes, then waits through DELETING until the dataset is gone', async () => {
    agentcore.on(DeleteDatasetCommand).resolves({ status: 'DELETING' });
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    expect(response.PhysicalResourceId).toBe(ARN);
    expect(agentcore).toHaveReceivedCommandWith(DeleteDatasetCommand, { datasetId: ID });
    expect(agentcore.commandCalls(DeleteDatasetCommand)[0].args[0].input.datasetVersion).toBeUndefined();

    agentcore.on(GetDatasetCommand)
      .resolvesOnce({ status: 'DELETING' })
      .rejectsOnce(serviceError('ResourceNotFoundException', `Dataset ${ID} not found.`, 404));
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
  });

  alreadyGoneIsDeleted(subject, 'a dataset that is already gone counts as deleted, twice over',
    () => serviceError('ResourceNotFoundException', 'not found', 404));
  failedCreateNeedsNoCall(subject);

  test.each(['CREATING', 'UPDATING'] as const)('a dataset still %s is waited for (DATASET_NOT_READY), then deleted', async (status) => {
    agentcore.on(DeleteDatasetCommand)
      .rejectsOnce(serviceError('ConflictException', `DATASET_NOT_READY: Dataset ${ID} is ${status}.`, 409))
      .resolves({ status: 'DELETING' });
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    agentcore.on(GetDatasetCommand)
      .resolvesOnce({ status })
      .resolvesOnce({ status: 'ACTIVE' })
      .resolvesOnce({ status: 'DELETING' });
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(agentcore).toHaveReceivedCommandTimes(DeleteDatasetCommand, 1);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(agentcore).toHaveReceivedCommandTimes(DeleteDatasetCommand, 2);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
  });

  test('DELETE_FAILED is retried: the delete is issued again', async () => {
    agentcore.on(DeleteDatasetCommand).resolves({ status: 'DELETING' });
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    agentcore.on(GetDatasetCommand)
      .resolvesOnce({ status: 'DELETE_FAILED', failureReason: 'Internal error while deleting' })
      .rejectsOnce(serviceError('ResourceNotFoundException', 'gone', 404));
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(agentcore).toHaveReceivedCommandTimes(DeleteDatasetCommand, 2);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: true });
  });

  test('a dataset used by an evaluation job fails with a message that says so and what to do', async () => {
    agentcore.on(DeleteDatasetCommand).rejects(serviceError('ConflictException',
      `REFERENCED_BY_EVAL_JOB: Dataset ${ID} is in use by an evaluation job; it can be deleted once the job ends.`, 409));
    const failure = onEvent(deleteEvent(TYPE, ARN));
    await expect(failure).rejects.toThrow(new RegExp(`Could not delete AgentCore evaluation dataset ${ARN}: DatasetInUseByEvaluationJob: ` +
      'the dataset is used by an active evaluation job'));
    await expect(failure).rejects.toThrow(/Stop the evaluation job or wait for it to end, then retry.*removalPolicy RETAIN/);
  });

  test('a conflict without a known reason is taken as a state guard: the delete waits, then is asked again', async () => {
    agentcore.on(DeleteDatasetCommand).rejectsOnce(serviceError('ConflictException', 'Another operation is in progress.', 409)).resolves({});
    agentcore.on(GetDatasetCommand).resolves({ status: 'ACTIVE' });
    const event = deleteEvent(TYPE, ARN);
    const response = await onEvent(event);
    await expect(isComplete(completeEvent(event, response))).resolves.toEqual({ IsComplete: false });
    expect(agentcore).toHaveReceivedCommandTimes(DeleteDatasetCommand, 1);
    // Past the core's back-off for refused deletes.
    const later = Date.now() + 60_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      await expect(isComplete(completeEvent(event, { ...response, WaitStartedAt: later - 1000 }))).resolves.toEqual({ IsComplete: false });
    } finally {
      jest.mocked(Date.now).mockRestore();
    }
    expect(agentcore).toHaveReceivedCommandTimes(DeleteDatasetCommand, 2);
  });

  unexpectedDeleteErrorFails(subject, /Could not delete .*AccessDeniedException: not allowed/, 403);
});

unmanagedTypeIsRefused(/does not manage resources of type Custom::Other.*Custom::AgentCoreEvaluationDataset/);
