/**
 * The emulator's per-account request-rate limit: a token bucket per service, answered with each
 * service's own throttling error, which the handlers' classifier takes as throttling.
 */
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as p from '@aws-sdk/client-personalize';
import { classifyError } from '../../lambda/core/errors';
import { classifyPersonalizeError } from '../../lambda/personalize/common';
import { Emulator, startEmulator } from '../../rehearsal/emulator';
import { CREDENTIALS as credentials, REGION, useEmulator } from '../support/emulator';

const MISSING_GROUP = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/missing';

let emu: Emulator;
let personalize: p.PersonalizeClient;
let agentcore: ac.BedrockAgentCoreControlClient;
/** The clock the buckets refill by: moved by the tests only. */
let clock = 1_000_000;

useEmulator({
  delays: { step: 10 },
  checkModel: true,
  rateLimit: { requestsPerSecond: { personalize: 2, agentcore: 1 }, burst: { personalize: 3 }, now: () => clock },
}, (started) => {
  emu = started.emu;
  personalize = started.client(p.PersonalizeClient);
  agentcore = started.client(ac.BedrockAgentCoreControlClient);
});

/** The error a call fails with, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<any> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return error;
  }
}

const describeMissing = () => outcome(personalize.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: MISSING_GROUP })));

test('a full bucket lets the burst through; the next call gets the common ThrottlingException where the model declares no LimitExceededException', async () => {
  const names = [];
  for (let i = 0; i < 4; i++) names.push((await describeMissing()).name);
  expect(names).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException', 'ResourceNotFoundException', 'ThrottlingException']);

  const throttled = await describeMissing();
  expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  expect(classifyError(throttled, classifyPersonalizeError)).toBe('throttled');
  expect(emu.throttled()).toEqual({ total: 2, byService: { personalize: { DescribeDatasetGroup: 2 } } });
  expect(emu.calls({ operation: 'DescribeDatasetGroup' }).map((c) => c.rateLimited ?? false)).toEqual([false, false, false, true, true]);
});

test('Personalize creates are refused with LimitExceededException in the words of its model, which the handlers take as throttling', async () => {
  for (let i = 0; i < 3; i++) await describeMissing();
  const refused = await outcome(personalize.send(new p.CreateDatasetGroupCommand({ name: 'group' })));
  expect(refused).toMatchObject({
    name: 'LimitExceededException',
    message: 'The limit on the number of requests per second has been exceeded.',
  });
  expect(classifyError(refused, classifyPersonalizeError)).toBe('throttled');
  expect(emu.resources()).toEqual([]);
});

test('the bucket refills at the rate, by the injected clock, up to the burst', async () => {
  for (let i = 0; i < 3; i++) await describeMissing();
  expect((await describeMissing()).name).toBe('ThrottlingException');
  clock += 500; // half a second at 2 a second: one request
  expect((await describeMissing()).name).toBe('ResourceNotFoundException');
  expect((await describeMissing()).name).toBe('ThrottlingException');
  clock += 60_000; // a long pause fills the bucket to its burst, no further
  const names = [];
  for (let i = 0; i < 4; i++) names.push((await describeMissing()).name);
  expect(names.filter((n) => n === 'ThrottlingException')).toHaveLength(1);
});

test('AgentCore answers ThrottlingException (429); each service has its own bucket; reset fills them', async () => {
  clock += 60_000;
  const get = () => outcome(agentcore.send(new ac.GetDatasetCommand({ datasetId: 'missing' })));
  expect((await get()).name).toBe('ResourceNotFoundException');
  const throttled = await get();
  expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
  expect(classifyError(throttled)).toBe('throttled');
  // Personalize's bucket is untouched by AgentCore's calls.
  expect((await describeMissing()).name).toBe('ResourceNotFoundException');
  expect(emu.throttled()).toEqual({ total: 1, byService: { agentcore: { GetDataset: 1 } } });

  emu.reset();
  expect(emu.throttled()).toEqual({ total: 0, byService: {} });
  expect((await get()).name).toBe('ResourceNotFoundException');
});

test('a service without a rate is not limited; a rate must be positive', async () => {
  const unlimited = await startEmulator({ rateLimit: { requestsPerSecond: { agentcore: 1 } } });
  const client = new p.PersonalizeClient({ endpoint: unlimited.url, region: REGION, credentials, maxAttempts: 1 });
  try {
    for (let i = 0; i < 5; i++) {
      expect((await outcome(client.send(new p.DescribeDatasetGroupCommand({ datasetGroupArn: MISSING_GROUP })))).name).toBe('ResourceNotFoundException');
    }
    expect(unlimited.throttled().total).toBe(0);
  } finally {
    client.destroy();
    await unlimited.close();
  }
  await expect(startEmulator({ rateLimit: { requestsPerSecond: { personalize: 0 } } })).rejects.toThrow(/above 0/);
});
