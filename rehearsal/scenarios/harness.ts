/**
 * The rehearsal harness: an emulator, the environment the handlers need to reach it, drivers that
 * play CloudFormation over synthesized stacks, fault injection that is counted, and the checker run
 * after every scenario. Used by the scenario suite (test/rehearsal/scenarios.test.ts) and by
 * `npm run rehearse` (rehearsal/rehearse.ts).
 *
 *   const rehearsal = await Rehearsal.start({ s3: S3_OBJECTS });
 *   const outcome = await rehearsal.run(scenario, stacks);
 *   console.log(rehearsal.summary());
 *   await rehearsal.close();
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as p from '@aws-sdk/client-personalize';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { checkConsistency, CheckResult, describeFindings } from './checker';
import { Driver, DriverOptions } from '../driver';
import { Emulator, Fault, FaultSpec, startEmulator } from '../emulator';

export type ConstructName = 'DatasetGroup' | 'Schema' | 'Dataset' | 'EvaluationDataset';

/** Something the stacks can be looked up in: the scenario stacks, or any synthesized assembly. */
export interface StackSet {
  stack(id: string): CloudFormationStackArtifact;
}

export interface Scenario {
  /** What it shows, as a sentence: the test's name. */
  readonly name: string;
  readonly construct: ConstructName;
  /**
   * A bug the scenario shows, described; the suite marks it as failing until the bug is fixed.
   * @default - none: the scenario passes
   */
  readonly knownBug?: string;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface RehearsalOptions {
  /**
   * Simulated time: multiplies the Provider framework's waits (0.02 turns its 1 s query interval
   * into 20 ms), and the handlers' clock and timers run at the same pace (their 10 s are 200 ms).
   * A scenario should last well under 6 s (real) at 0.02: the SDK corrects a clock that is more
   * than 5 minutes off, and then retries any failed call once.
   * @default 0.02
   */
  readonly timeScale?: number;
  /**
   * Milliseconds per status transition step in the emulator.
   * @default 5
   */
  readonly stepMs?: number;
  /** Objects the emulator's store is seeded with (S3 serves them, AgentCore's `s3Source` reads them): s3 uri > text. */
  readonly s3?: Readonly<Record<string, string>>;
  /**
   * The handlers' SDK attempts per call (CDK_DATASETS_MAX_ATTEMPTS): low, so that a fault test does
   * not sit in the SDK's retry backoff.
   * @default 3
   */
  readonly maxAttempts?: number;
}

/** The figures a suite prints at the end. */
export interface Figures {
  scenarios: number;
  passed: number;
  failed: number;
  /** Scenarios that failed as their known bug says they do. */
  knownBugs: number;
  /** Fault rules that applied to at least one call. */
  faultsInjected: number;
  /** Calls (or transitions) the faults applied to. */
  faultHits: number;
  leaks: number;
  duplicates: number;
  wronglyDeleted: number;
  missing: number;
  /** Resources left in the emulator on purpose (RETAIN), checked to be there. */
  retained: number;
}

export interface ScenarioOutcome {
  readonly scenario: Scenario;
  /** The first thing that went wrong: an assertion, an unexpected error, or a checker finding. */
  readonly error?: Error;
  readonly check: CheckResult;
  /** The drivers it used: their records (events, requests, handler calls) tell what happened. */
  readonly drivers: readonly Driver[];
  readonly faults: readonly Fault[];
  readonly durationMs: number;
  /** The handlers' log lines during the scenario (the most recent ones). */
  readonly handlerLog: readonly string[];
}

const REGION = 'us-east-1';
export const DEFAULT_TIME_SCALE = 0.02;
const HANDLER_LOG_LINES = 500;
const CREDENTIALS = { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' };

export class Rehearsal {
  public static async start(options: RehearsalOptions = {}): Promise<Rehearsal> {
    // Every answer is checked against the SDK's model of its operation: a departure is an emulator bug.
    const emu = await startEmulator({ delays: { step: options.stepMs ?? 5 }, s3: options.s3 ?? {}, checkModel: true });
    return new Rehearsal(emu, options);
  }

  /** What the handlers need in process.env: the emulator's endpoints, a region and credentials. */
  public readonly env: Readonly<Record<string, string>>;
  public readonly figures: Figures = {
    scenarios: 0,
    passed: 0,
    failed: 0,
    knownBugs: 0,
    faultsInjected: 0,
    faultHits: 0,
    leaks: 0,
    duplicates: 0,
    wronglyDeleted: 0,
    missing: 0,
    retained: 0,
  };
  /** The scenarios that failed on their known bug. */
  public readonly knownBugs: Scenario[] = [];
  /** The handlers' most recent log lines (they are kept, not printed). */
  public readonly handlerLog: string[] = [];
  /** SDK clients on the emulator, for scenarios to read what the handlers cannot show (tags, descriptions). */
  public readonly personalize: p.PersonalizeClient;
  public readonly agentcore: ac.BedrockAgentCoreControlClient;
  private readonly previousEnv: Record<string, string | undefined>;

  private constructor(public readonly emu: Emulator, private readonly options: RehearsalOptions) {
    this.env = {
      ...emu.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      CDK_DATASETS_MAX_ATTEMPTS: String(options.maxAttempts ?? 3),
      // The SDK's notice that Node.js 20 support ends, once per loaded bundle otherwise.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // The bundles read credentials from the environment only; set it before any handler is loaded.
    this.previousEnv = Object.fromEntries(Object.keys(this.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, this.env);
    this.activate();
    const config = { endpoint: emu.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    this.personalize = new p.PersonalizeClient(config);
    this.agentcore = new ac.BedrockAgentCoreControlClient(config);
  }

  /** A driver on the emulator, with this rehearsal's time scale. */
  public driver(options: DriverOptions = {}): Driver {
    this.activate();
    return new Driver({
      env: { ...this.env },
      timeScale: this.options.timeScale ?? DEFAULT_TIME_SCALE,
      requireModule: loadHandlerBundle,
      ...options,
    });
  }

  /**
   * Runs one scenario on a fresh emulator, then the checker over every driver it made. Never
   * throws: the outcome carries the error, and the figures count it.
   */
  public async run(scenario: Scenario, stacks: StackSet): Promise<ScenarioOutcome> {
    this.activate();
    this.emu.reset();
    this.handlerLog.length = 0;
    // Every scenario starts with fresh Lambda containers: no SDK client state (retry quota,
    // client-side rate limit, clock offset) or handler state carried over; and the handlers' clock
    // starts from the real time again (the SDK corrects a clock that is 5 minutes off).
    forgetHandlerBundles();
    handlerRuntime().reanchor();
    const ctx = new ScenarioContext(this, stacks);
    const started = Date.now();
    let error: Error | undefined;
    try {
      await scenario.run(ctx);
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    const check = checkConsistency(this.emu.resources(), ctx.drivers);
    const findings = describeFindings(check);
    if (!error && findings.length > 0) {
      error = new Error(`the emulator and the driver disagree after "${scenario.name}":\n  ${findings.join('\n  ')}`);
    }
    const violations = this.emu.modelViolations();
    if (!error && violations.length > 0) {
      error = new Error(`the emulator answered outside the SDK's model (an emulator bug):\n  ${violations.map((v) => v.message).join('\n  ')}`);
    }
    const idle = ctx.faults.filter((f) => f.hits === 0);
    if (!error && idle.length > 0) {
      error = new Error(`fault(s) never applied, so the scenario did not rehearse them: ${idle.map((f) => JSON.stringify(f.spec)).join(', ')}`);
    }

    const f = this.figures;
    f.scenarios++;
    if (!error) {
      f.passed++;
    } else if (scenario.knownBug) {
      f.knownBugs++;
      this.knownBugs.push(scenario);
    } else {
      f.failed++;
    }
    f.faultsInjected += ctx.faults.filter((x) => x.hits > 0).length;
    f.faultHits += ctx.faults.reduce((sum, x) => sum + x.hits, 0);
    f.leaks += check.leaks.length;
    f.duplicates += check.duplicates.length;
    f.wronglyDeleted += check.wronglyDeleted.length;
    f.missing += check.missing.length;
    f.retained += check.retained;
    return { scenario, error, check, drivers: ctx.drivers, faults: ctx.faults, durationMs: Date.now() - started, handlerLog: [...this.handlerLog] };
  }

  /** The figures, in one block. */
  public summary(): string {
    const f = this.figures;
    return [
      `scenarios:       ${f.scenarios} (${f.passed} passed, ${f.failed} failed, ${f.knownBugs} failed on a known bug)`,
      `faults injected: ${f.faultsInjected} (applied to ${f.faultHits} calls)`,
      `leaks:           ${f.leaks}`,
      `duplicates:      ${f.duplicates}`,
      `wrongly deleted: ${f.wronglyDeleted}`,
      `missing:         ${f.missing}`,
      `retained:        ${f.retained} (left on purpose, checked present)`,
      ...this.knownBugs.map((s) => `known bug:       ${s.construct}: ${s.name}`),
    ].join('\n');
  }

  /** Makes the loaded handlers' clock run at this rehearsal's pace and their log come here. */
  private activate(): void {
    const runtime = handlerRuntime();
    runtime.scale = this.options.timeScale ?? DEFAULT_TIME_SCALE;
    runtime.sink = (line) => {
      this.handlerLog.push(line);
      if (this.handlerLog.length > HANDLER_LOG_LINES) this.handlerLog.splice(0, this.handlerLog.length - HANDLER_LOG_LINES);
    };
  }

  public async close(): Promise<void> {
    for (const [key, value] of Object.entries(this.previousEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    this.personalize.destroy();
    this.agentcore.destroy();
    await this.emu.close();
  }
}

/** What a scenario works with. */
export class ScenarioContext {
  /** Every driver the scenario made: the checker compares their beliefs with the emulator. */
  public readonly drivers: Driver[] = [];
  /** Every fault the scenario injected. */
  public readonly faults: Fault[] = [];

  constructor(private readonly rehearsal: Rehearsal, private readonly stacks: StackSet) {}

  public get emu(): Emulator {
    return this.rehearsal.emu;
  }

  public get personalize(): p.PersonalizeClient {
    return this.rehearsal.personalize;
  }

  public get agentcore(): ac.BedrockAgentCoreControlClient {
    return this.rehearsal.agentcore;
  }

  public stack(id: string): CloudFormationStackArtifact {
    return this.stacks.stack(id);
  }

  public driver(options: DriverOptions = {}): Driver {
    const driver = this.rehearsal.driver(options);
    this.drivers.push(driver);
    return driver;
  }

  /** Injects a fault; the suite counts it, and fails the scenario if it never applied. */
  public fault(spec: FaultSpec): Fault {
    const fault = this.emu.faults.add(spec);
    this.faults.push(fault);
    return fault;
  }
}

/******************************************************************************
 *                        Loading the handler bundles
 *****************************************************************************/

/** Where a loaded bundle finds the rehearsal's clock, timers and console (see loadHandlerBundle). */
const RUNTIME_KEY = 'cdk-datasets.rehearsal.handler-runtime';

interface HandlerRuntime {
  /** Real milliseconds per handler millisecond: the rehearsal's timeScale. */
  scale: number;
  /** Where the handlers' console output goes. */
  sink: (line: string) => void;
  readonly Date: DateConstructor;
  readonly setTimeout: typeof setTimeout;
  readonly console: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;
  /** Sets the handlers' clock to the real time, from which it runs at `scale` again. */
  reanchor(): void;
}

/** The runtime every loaded bundle shares (one per global object: jest gives each test file its own). */
function handlerRuntime(): HandlerRuntime {
  const global = globalThis as unknown as Record<symbol, HandlerRuntime | undefined>;
  const key = Symbol.for(RUNTIME_KEY);
  if (global[key]) return global[key];
  const RealDate = Date;
  const realSetTimeout = globalThis.setTimeout;
  let anchor = RealDate.now();
  const runtime: HandlerRuntime = {
    scale: 1,
    sink: () => undefined,
    reanchor: () => {
      anchor = RealDate.now();
    },
    // The handlers' clock runs at the rehearsal's pace: a second of theirs is `scale` seconds of ours.
    Date: class RehearsalDate extends RealDate {
      public static now(): number {
        const real = RealDate.now();
        return anchor + (real - anchor) / runtime.scale;
      }

      constructor(...args: unknown[]) {
        if (args.length === 0) super(RehearsalDate.now());
        else super(...(args as [string | number | Date]));
      }
    } as unknown as DateConstructor,
    // So do their timers (the SDK's retry backoff and rate limiting): at least 10 ms, or what they
    // asked for if less, so that nothing times out for want of scheduling.
    setTimeout: ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const wanted = Number(ms ?? 0);
      const real = wanted > 0 ? Math.max(wanted * runtime.scale, Math.min(wanted, 10)) : wanted;
      return realSetTimeout(callback, real, ...args);
    }) as typeof setTimeout,
    console: Object.fromEntries(['log', 'info', 'warn', 'error', 'debug'].map((level) =>
      [level, (...args: unknown[]) => runtime.sink(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))])) as HandlerRuntime['console'],
  };
  global[key] = runtime;
  return runtime;
}

/** The copies loadHandlerBundle has loaded, to forget between scenarios. */
const loadedCopies = new Set<string>();

/** Lets the next scenario load the bundles afresh (plain Node; under jest, call jest.resetModules()). */
function forgetHandlerBundles(): void {
  for (const copy of loadedCopies) delete require.cache[copy];
  loadedCopies.clear();
}

/**
 * Loads a handler bundle the way the rehearsal runs it: from copies, next to them, of its files
 * (index.js and the chunks it loads on first use, *.lazy.js) in which
 *   - the Node.js built-in modules the SDK loads with import() (node:http, node:async_hooks) are
 *     loaded with require(): jest's module sandbox refuses import() without --experimental-vm-modules;
 *   - `Date`, `setTimeout` and `console` are the rehearsal's: the handlers' clock and timers run at
 *     the rehearsal's time scale, as the Provider framework's waits do, so that their own waits (the
 *     settle time after a create, the wait bound, the retry interval of a refused delete, the SDK's
 *     retry backoff and rate limiting) take simulated time too; and their log lines are kept rather
 *     than printed;
 *   - a chunk is loaded from its copy.
 * Everything else is the bundle as built.
 */
export function loadHandlerBundle(file: string): unknown {
  const dir = path.dirname(file);
  const originals = fs.readdirSync(dir).filter((f) => /\.c?js$/.test(f) && !COPY.test(f));
  const copyOf = (name: string) => name.replace(/(\.c?js)$/, '.rehearsal$1');
  const bases = new Map(originals.map((f) => [f.replace(/\.c?js$/, ''), copyOf(f)]));
  for (const original of originals) {
    const copy = path.join(dir, copyOf(original));
    loadedCopies.add(copy);
    if (fs.existsSync(copy)) continue;
    const text = fs.readFileSync(path.join(dir, original), 'utf8')
      .replace(/\bimport\((["'])(node:[\w/]+)\1\)/g, 'Promise.resolve(require($1$2$1))')
      .replace(/\brequire\((["'])\.\/([\w.-]+?)(\.c?js)?\1\)/g,
        (whole, quote: string, base: string) => (bases.has(base) ? `require(${quote}./${bases.get(base)}${quote})` : whole));
    const prelude = `var __rehearsal=globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})];` +
      'var Date=__rehearsal?__rehearsal.Date:globalThis.Date;var setTimeout=__rehearsal?__rehearsal.setTimeout:globalThis.setTimeout;' +
      'var console=__rehearsal?__rehearsal.console:globalThis.console;';
    const strict = /^(["'])use strict\1;/.exec(text);
    fs.writeFileSync(copy, strict ? `${strict[0]}${prelude}${text.slice(strict[0].length)}` : `${prelude}${text}`);
  }
  return require(path.join(dir, copyOf(path.basename(file)))); // eslint-disable-line @typescript-eslint/no-require-imports
}

/** The copies loadHandlerBundle writes. */
const COPY = /\.rehearsal\.c?js$/;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
