/**
 * The AgentCore handlers end to end against the local emulator (rehearsal/emulator): the real SDK
 * client and wire protocol, the service's state guards, idempotency tokens and transitions.
 */
import {
  BedrockAgentCoreControlClient, GetDatasetCommand, ListDatasetExamplesCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-bedrock-agentcore-control';
import type { IsCompleteResponse, OnEventRequest, OnEventResponse } from '../../../lambda/core/lifecycle';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { Emulator } from '../../../rehearsal/emulator';
import { OWNER_TAG_KEY, RESERVED_TAG_PREFIX } from '../../../src/contract';
import { HANDLER_ENVIRONMENT, useEmulator } from '../../support/emulator';
import { completeEvent, createEvent, deleteEvent, Properties, updateEvent } from '../fixtures';

const TYPE = 'Custom::AgentCoreEvaluationDataset';
const PREDEFINED = 'AGENTCORE_EVALUATION_PREDEFINED_V1';
const ONE = 's3://evals-bucket/one.jsonl';
const TWO = 's3://evals-bucket/two.jsonl';

type Example = Record<string, unknown>;
const scenario = (id: string, input = `question ${id}`): Example => ({ scenario_id: id, turns: [{ input }] });
const scenarios = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => scenario(`${prefix}${i}`));
const jsonl = (examples: Example[]) => examples.map((e) => JSON.stringify(e)).join('\n');
const inline = (examples: Example[], extra: Properties = {}): Properties =>
  ({ SchemaType: PREDEFINED, InlineExamples: JSON.stringify(examples), ...extra });

let emu: Emulator;
let client: BedrockAgentCoreControlClient;

useEmulator({ delays: { step: 5 }, s3: { [ONE]: jsonl(scenarios(1200, 'one')), [TWO]: jsonl(scenarios(3, 'two')) } }, (started) => {
  emu = started.emu;
  client = started.closes(new BedrockAgentCoreControlClient({ maxAttempts: 1 }));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
}, HANDLER_ENVIRONMENT);

beforeEach(() => resetHandlers());

let requests = 0;
/** Plays one CloudFormation request as the Provider framework does: onEvent, then isComplete every few ms. */
async function deploy(event: OnEventRequest, afterPoll: (polls: number) => void = () => undefined):
Promise<{ response: OnEventResponse; result: IsCompleteResponse; polls: number }> {
  const request = { ...event, RequestId: `request-${++requests}` };
  const response = await onEvent(request);
  const poll = completeEvent(request, { ...response, WaitStartedAt: Date.now() - 5_000 });
  // Polls a few ms apart (not the framework's second) for up to 60 s (a loaded machine writes
  // thousands of examples slowly): a throttled status call holds this container's next one back
  // for a couple of seconds.
  const until = Date.now() + 60_000;
  for (let polls = 1; Date.now() < until; polls++) {
    const result = await isComplete(poll);
    if (result.IsComplete) return { response, result, polls };
    afterPoll(polls);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${event.RequestType} not complete after 60 s of polls`);
}

async function draftOf(datasetId: string): Promise<Example[]> {
  const examples: Example[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListDatasetExamplesCommand({ datasetId, maxResults: 1000, nextToken }));
    examples.push(...(page.examples ?? []).map((e) => {
      const { exampleId, ...content } = e as Example;
      return content;
    }));
    nextToken = page.nextToken;
  } while (nextToken);
  return examples;
}

const sorted = (examples: Example[]) => examples.map((e) => JSON.stringify(e)).sort();

test('a dataset\'s whole life: create, a retried create, in-place changes of every kind, delete', async () => {
  const first = inline(scenarios(1700, 'a'), { Description: 'first', Tags: [{ Key: 'team', Value: 'agents' }] });
  const created = await deploy(createEvent(TYPE, first));
  const arn = created.response.PhysicalResourceId;
  const datasetId = created.result.Data!.EvaluationDatasetId;
  expect(created.result.Data!.DatasetVersion).toBe('1');
  expect(sorted(await draftOf(datasetId))).toEqual(sorted(scenarios(1700, 'a')));
  expect(emu.counts('agentcore').CreateDataset).toBe(1);

  // The same request again (onEvent retried): the token brings back the same dataset.
  const retried = await onEvent({ ...createEvent(TYPE, first), RequestId: `request-${requests}` });
  expect(retried.PhysicalResourceId).toBe(arn);
  expect(emu.resources({ service: 'agentcore' })).toHaveLength(1);

  // Inline examples and description, in place: some changed, many added.
  const wanted = [...scenarios(10, 'a'), scenario('a10', 'changed'), ...scenarios(2500, 'b')];
  const second: Properties = { ...first, ...inline(wanted), Description: 'second' };
  const updated = await deploy(updateEvent(TYPE, arn, first, second));
  expect(updated.response.PhysicalResourceId).toBe(arn);
  expect(updated.result.Data!.DatasetVersion).toBe('2');
  expect(sorted(await draftOf(datasetId))).toEqual(sorted(wanted));
  const dataset = await client.send(new GetDatasetCommand({ datasetId }));
  expect(dataset).toMatchObject({ description: 'second', draftStatus: 'UNMODIFIED', status: 'ACTIVE' });

  // Inline to S3, S3 to S3, S3 back to inline: the dataset keeps its id throughout.
  const fromOne = { SchemaType: PREDEFINED, S3Uri: ONE, Description: 'second', Tags: first.Tags };
  expect((await deploy(updateEvent(TYPE, arn, second, fromOne))).result.Data!.DatasetVersion).toBe('3');
  expect(await draftOf(datasetId)).toHaveLength(1200);
  const fromTwo = { ...fromOne, S3Uri: TWO };
  expect((await deploy(updateEvent(TYPE, arn, fromOne, fromTwo))).result.Data!.DatasetVersion).toBe('4');
  expect(sorted(await draftOf(datasetId))).toEqual(sorted(scenarios(3, 'two')));
  const back = inline([scenario('z')], { Description: 'second', Tags: first.Tags });
  expect((await deploy(updateEvent(TYPE, arn, fromTwo, back))).result.Data!.DatasetVersion).toBe('5');
  expect(await draftOf(datasetId)).toEqual([scenario('z')]);
  const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  // The only tag of the library's own is the ownership tag: no state is kept in tags.
  expect(Object.keys(tags ?? {}).filter((k) => k.startsWith(RESERVED_TAG_PREFIX))).toEqual([OWNER_TAG_KEY]);
  expect(tags).toHaveProperty('team', 'agents');
  expect(emu.resources({ service: 'agentcore' })).toHaveLength(1);

  await deploy(deleteEvent(TYPE, arn));
  expect(emu.resource(arn)!.status).toBe('DELETED');
}, 180_000);

test('throttling and a create that fails with a reason', async () => {
  // Twice: after each throttled status call the handler holds the next one back (1 s, then 2 s, with
  // jitter: see lambda/core/schedule.ts), in real time here; four would need up to 22 s.
  const throttle = emu.faults.add({ kind: 'throttle', service: 'agentcore', operation: ['GetDataset', 'ListDatasetExamples', 'CreateDatasetVersion'], times: 2 });
  const { result } = await deploy(createEvent(TYPE, inline(scenarios(3, 'a'))));
  expect(result.Data!.DatasetVersion).toBe('1');
  expect(throttle.hits).toBe(2);

  emu.faults.add({ kind: 'fail', service: 'agentcore', operation: 'CreateDataset', reason: 'The KMS key is disabled' });
  await expect(deploy(createEvent(TYPE, inline(scenarios(3, 'a')), { LogicalResourceId: 'Other' })))
    .rejects.toThrow(/is CREATE_FAILED: The KMS key is disabled/);
}, 90_000);

test('a delete waits for a dataset still being deleted, and fails for one an evaluation job uses', async () => {
  const { response } = await deploy(createEvent(TYPE, inline(scenarios(3, 'a'))));
  const arn = response.PhysicalResourceId;

  emu.faults.add({ kind: 'in-use', service: 'agentcore', operation: 'DeleteDataset', times: 1 });
  await expect(deploy(deleteEvent(TYPE, arn))).rejects.toThrow(/used by an active evaluation job.*Stop the evaluation job/);

  emu.faults.add({ kind: 'stuck-delete', service: 'agentcore', operation: 'DeleteDataset', times: 1 });
  // Released after the third poll (not on a timer: under load the first poll could come too late).
  const deleted = await deploy(deleteEvent(TYPE, arn), (polls) => polls === 3 && emu.release());
  expect(deleted.polls).toBeGreaterThan(3);
  expect(emu.resource(arn)!.status).toBe('DELETED');
}, 90_000);
