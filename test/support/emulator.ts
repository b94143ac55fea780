/**
 * The local emulator (rehearsal/emulator) for the tests of one file: started before them, reset
 * after each, closed after all of them together with the SDK clients made for it.
 */
import { Emulator, EmulatorOptions, startEmulator } from '../../rehearsal/emulator';

export const REGION = 'us-east-1';

/** Credentials the emulator accepts from a client it does not check (no principal resolver knows them). */
export const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };

/**
 * The environment the handlers run in against the emulator: their client is made on first use,
 * from these and the emulator's endpoint variables (no endpoint in code: the SDK reads it).
 */
export const HANDLER_ENVIRONMENT = {
  AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', CDK_DATASETS_MAX_ATTEMPTS: '1',
};

/** A Personalize Interactions schema (user, item, timestamp), as the tests create it. */
export const INTERACTIONS_SCHEMA = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  version: '1.0',
  fields: [{ name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' }],
});

interface Destroyable {
  destroy(): void;
}

/** What the emulator's setup has to hand, once it has started. */
export interface StartedEmulator {
  readonly emu: Emulator;
  /**
   * An SDK client of the emulator's endpoint with no retries, so that each call is one request and
   * errors and counts are exact; destroyed after the tests.
   */
  client<T extends Destroyable>(Client: new (config: any) => T, credentials?: { accessKeyId: string; secretAccessKey: string }): T;
  /** Destroys this client after the tests. */
  closes<T extends Destroyable>(client: T): T;
}

/**
 * Starts the emulator before the file's tests and hands it to `setup`; after each test it resets it
 * and, with `checkModel`, fails the test if any answer departed from the SDK's model; after all, it
 * destroys the clients and closes the emulator.
 *
 * @param environment with it, the endpoint variables of the emulator and these are set in
 *   `process.env` before `setup` (so that clients and handlers find the emulator as the handlers
 *   do, through the environment) and the environment is put back after the tests.
 */
export function useEmulator(options: EmulatorOptions, setup: (started: StartedEmulator) => void, environment?: Record<string, string>): void {
  let emu: Emulator;
  const clients: Destroyable[] = [];
  const saved = { ...process.env };
  const closes = <T extends Destroyable>(client: T): T => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    emu = await startEmulator(options);
    if (environment) Object.assign(process.env, emu.env, environment);
    setup({
      emu,
      closes,
      client: (Client, credentials = CREDENTIALS) => closes(new Client({ endpoint: emu.url, region: REGION, credentials, maxAttempts: 1 })),
    });
  });

  afterEach(() => {
    const violations = emu.modelViolations();
    emu.reset();
    if (options.checkModel) expect(violations.map((v) => v.message)).toEqual([]);
  });

  afterAll(async () => {
    if (environment) process.env = saved;
    clients.forEach((client) => client.destroy());
    await emu.close();
  });
}

/** The error a call fails with (fails the test if it succeeds). */
export async function errorOf(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
