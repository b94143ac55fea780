/**
 * Every invocation ends within its Lambda timeout, whatever the network does: a status call that is
 * read and never answered (a half-open connection) ends with the invocation's budget, and isComplete
 * answers "not yet"; onEvent fails with a message that says what did not finish. Real SDK clients
 * against a server that accepts connections and never answers.
 */
import { createServer, Server, Socket } from 'net';
import { InvocationBudget, reserveFor, withinBudget } from '../../../lambda/core/budget';
import { isComplete, onEvent, resetHandlers } from '../../../lambda/index';
import { completeEvent, createEvent } from '../fixtures';

const TYPE = 'Custom::PersonalizeDatasetGroup';
const ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail';

let server: Server;
const sockets = new Set<Socket>();
let closed = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined); // read the request, never answer
    socket.on('close', () => {
      closed++;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_PERSONALIZE: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => resetHandlers());

/** A Lambda context with `ms` left. */
function context(ms: number) {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}

test('a status call that is never answered ends within the invocation\'s time, and isComplete answers "not yet"', async () => {
  const before = closed;
  const started = Date.now();
  const event = completeEvent(createEvent(TYPE, {}), { PhysicalResourceId: ARN, WaitStartedAt: Date.now() - 5_000 });
  await expect(isComplete(event, context(2_000))).resolves.toEqual({ IsComplete: false });
  const elapsed = Date.now() - started;
  expect(elapsed).toBeLessThan(2_000);
  expect(elapsed).toBeGreaterThanOrEqual(2_000 - reserveFor(2_000) - 100);
  // The hung request was aborted: its connection is closed, not left open.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(closed).toBeGreaterThan(before);
}, 10_000);

test('a create call that is never answered fails onEvent within its time, saying which call did not finish', async () => {
  const started = Date.now();
  await expect(onEvent(createEvent(TYPE, { Name: 'retail' }), context(1_500)))
    .rejects.toThrow(/Could not create Personalize dataset group "retail": .*(CreateDatasetGroupCommand did not finish within this invocation's time|TimeoutError|aborted)/);
  expect(Date.now() - started).toBeLessThan(1_500);
}, 10_000);

describe('InvocationBudget', () => {
  test('races work against the deadline; work that finishes first wins', async () => {
    const budget = new InvocationBudget(Date.now() + 50);
    await expect(budget.race(Promise.resolve('done'), 'quick work')).resolves.toBe('done');
    await expect(budget.race(new Promise(() => undefined), 'slow work')).rejects.toThrow('slow work did not finish within this invocation\'s time');
    expect(budget.signal.aborted).toBe(true);
    await expect(budget.race(Promise.resolve('late'), 'late work')).rejects.toMatchObject({ name: 'OutOfTimeError' });
    budget.close();
  });

  test('keeps a fifth of the time left, from 100 ms to 5 s, to answer in', () => {
    expect(reserveFor(60_000)).toBe(5_000);
    expect(reserveFor(2_000)).toBe(400);
    expect(reserveFor(100)).toBe(100);
  });

  test('without a Lambda context (a direct call) the work gets the isComplete function\'s minute', async () => {
    await expect(withinBudget(undefined, async () => 'ran')).resolves.toBe('ran');
  });
});
