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
import * as ac from '@aws-sdk/client-bedrock-agentcore-control';
import * as p from '@aws-sdk/client-personalize';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { checkConsistency, CheckResult, describeFindings } from './checker';
import { Driver, DriverOptions, scaledClock } from '../driver';
import { denialLine, EmulatedPrincipal, Emulator, Fault, FaultSpec, startEmulator } from '../emulator';

export type ConstructName = 'DatasetGroup' | 'Schema' | 'Dataset' | 'EvaluationDataset' | 'EventTracker';

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
  /**
   * Whether the scenario takes a grant away on purpose. Any other scenario fails when a handler
   * call is denied: the handler roles must allow every call the handlers make.
   * @default false
   */
  readonly deniesOnPurpose?: boolean;
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
  /**
   * Real milliseconds a scenario may run. Past it the scenario fails, its drivers are closed and
   * it is let go, so that it cannot go on calling the emulator during the next scenario.
   * @default 20000
   */
  readonly scenarioTimeoutMs?: number;
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
  /** Handler calls the emulator authorized against their role's policies, as IAM would. */
  callsChecked: number;
  /** Of those, the calls refused with AccessDenied. */
  callsDenied: number;
  /** Calls denied in scenarios that take a grant away on purpose (not counted in callsDenied). */
  callsDeniedOnPurpose: number;
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
const DEFAULT_SCENARIO_TIMEOUT_MS = 20_000;
const SETTLE_AFTER_CLOSE_MS = 2_000;
/** The rehearsal's own inspection clients: not a role of any stack, so the emulator does not check them. */
const CREDENTIALS = { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' };

export class Rehearsal {
  public static async start(options: RehearsalOptions = {}): Promise<Rehearsal> {
    const drivers = new Set<Driver>();
    // One scaled clock for the services and the handlers, as AWS and Lambda share real time.
    const clockAnchorMs = Date.now();
    // Every answer is checked against the SDK's model of its operation (a departure is an emulator
    // bug), and every handler call is authorized as IAM would: the access key a function's container
    // signs with stands for its execution role, whose policies the driver reads from the template.
    const emu = await startEmulator({
      delays: { step: options.stepMs ?? 5 },
      s3: options.s3 ?? {},
      checkModel: true,
      clock: scaledClock(options.timeScale ?? DEFAULT_TIME_SCALE, clockAnchorMs),
      principals: (accessKeyId) => [...drivers].map((d) => d.principal(accessKeyId))
        .find((principal) => principal !== undefined) as EmulatedPrincipal | undefined,
    });
    return new Rehearsal(emu, options, drivers, clockAnchorMs);
  }

  /** Simulated time per real time. */
  public get timeScale(): number {
    return this.options.timeScale ?? DEFAULT_TIME_SCALE;
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
    callsChecked: 0,
    callsDenied: 0,
    callsDeniedOnPurpose: 0,
  };
  /** The scenarios that failed on their known bug. */
  public readonly knownBugs: Scenario[] = [];
  /** The handlers' most recent log lines (they are kept, not printed). */
  public readonly handlerLog: string[] = [];
  /** SDK clients on the emulator, for scenarios to read what the handlers cannot show (tags, descriptions). */
  public readonly personalize: p.PersonalizeClient;
  public readonly agentcore: ac.BedrockAgentCoreControlClient;

  private constructor(public readonly emu: Emulator, private readonly options: RehearsalOptions, private readonly liveDrivers: Set<Driver>,
    private readonly clockAnchorMs: number) {
    // What every Lambda container starts with; each gets its own role's credentials on top.
    this.env = {
      ...emu.env,
      AWS_REGION: REGION,
      CDK_DATASETS_MAX_ATTEMPTS: String(options.maxAttempts ?? 3),
      // The SDK's notice that Node.js 20 support ends, once per container otherwise.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const config = { endpoint: emu.url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
    this.personalize = new p.PersonalizeClient(config);
    this.agentcore = new ac.BedrockAgentCoreControlClient(config);
  }

  /**
   * A driver on the emulator, with this rehearsal's time scale: the handlers run in Lambda-like
   * containers (worker threads), their clock and timers at the same pace as the Provider
   * framework's waits, their log lines kept rather than printed.
   */
  public driver(options: DriverOptions = {}): Driver {
    const timeScale = this.timeScale;
    const driver = new Driver({
      env: { ...this.env },
      timeScale,
      handlerTimeScale: timeScale,
      clockAnchorMs: this.clockAnchorMs,
      onHandlerLog: (line) => {
        this.handlerLog.push(line);
        if (this.handlerLog.length > HANDLER_LOG_LINES) this.handlerLog.splice(0, this.handlerLog.length - HANDLER_LOG_LINES);
      },
      ...options,
    });
    this.liveDrivers.add(driver);
    return driver;
  }

  /** Stops the drivers' Lambda containers and forgets them. */
  public async closeDrivers(): Promise<void> {
    const drivers = [...this.liveDrivers];
    this.liveDrivers.clear();
    await Promise.all(drivers.map((d) => d.close()));
  }

  /**
   * Runs one scenario on a fresh emulator, then the checker over every driver it made. Never
   * throws: the outcome carries the error, and the figures count it.
   */
  public async run(scenario: Scenario, stacks: StackSet): Promise<ScenarioOutcome> {
    this.emu.reset();
    this.handlerLog.length = 0;
    // Every scenario starts with fresh Lambda containers (each driver makes its own): no SDK client
    // state (retry quota, client-side rate limit, clock offset) or handler state carried over.
    const ctx = new ScenarioContext(this, stacks);
    const started = Date.now();
    let error = await this.runWithin(scenario, ctx);
    await this.closeDrivers();
    const check = checkConsistency(this.emu.resources(), ctx.drivers);
    const findings = describeFindings(check);
    if (!error && findings.length > 0) {
      error = new Error(`the emulator and the driver disagree after "${scenario.name}":\n  ${findings.join('\n  ')}`);
    }
    const violations = this.emu.modelViolations();
    if (!error && violations.length > 0) {
      error = new Error(`the emulator answered outside the SDK's model (an emulator bug):\n  ${violations.map((v) => v.message).join('\n  ')}`);
    }
    const authorization = this.emu.authorization();
    if (!error && !scenario.deniesOnPurpose && authorization.denied > 0) {
      error = new Error(`handler calls were denied by their role's policies:\n  ${authorization.denials.map(denialLine).join('\n  ')}`);
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
    f.callsChecked += authorization.checked;
    if (scenario.deniesOnPurpose) f.callsDeniedOnPurpose += authorization.denied;
    else f.callsDenied += authorization.denied;
    return { scenario, error, check, drivers: ctx.drivers, faults: ctx.faults, durationMs: Date.now() - started, handlerLog: [...this.handlerLog] };
  }

  /** The scenario's error, if any; one that outlasts the deadline is stopped (its drivers closed). */
  private async runWithin(scenario: Scenario, ctx: ScenarioContext): Promise<Error | undefined> {
    const limitMs = this.options.scenarioTimeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS;
    const running = scenario.run(ctx).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), limitMs); });
    const first = await Promise.race([running, late]);
    clearTimeout(timer);
    if (first !== 'late') return first;
    // Closed drivers refuse further invocations, so the scenario's deployments end soon after.
    await this.closeDrivers();
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_CLOSE_MS).unref())]);
    return new Error(`the scenario did not end within ${limitMs} ms (real time); its drivers were closed`);
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
      `IAM:             ${f.callsChecked} handler calls authorized against their role's policies, ${f.callsDenied} denied ` +
        `(and ${f.callsDeniedOnPurpose} denied on purpose, where a scenario took a grant away)`,
      ...this.knownBugs.map((s) => `known bug:       ${s.construct}: ${s.name}`),
    ].join('\n');
  }

  public async close(): Promise<void> {
    await this.closeDrivers();
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

  /** Simulated time per real time: the emulator's times (history, calls) are simulated ms. */
  public get timeScale(): number {
    return this.rehearsal.timeScale;
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
