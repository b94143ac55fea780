/**
 * `cdk-datasets rehearse`: deploys a cloud assembly against the local emulator, optionally updates
 * it to a second assembly, and destroys it, the way `npm run rehearse` does for the example app:
 *
 *   - CloudFormation and the Provider framework are played by the rehearsal driver; the library's
 *     handlers run from the assembly's own asset directories (the real bundles), each function in
 *     Lambda-like containers with credentials that stand for its execution role;
 *   - the emulator authorizes every handler call against that role's policies in the template, as
 *     IAM would (the Service Authorization Reference, carried by the command);
 *   - every other resource is stood in for with a synthetic id and attributes, custom resources
 *     of other providers included (their handlers do not run);
 *   - what the stacks read but do not make is seeded first: the assembly's file assets, dataset
 *     groups imported by ARN (DatasetGroup.fromDatasetGroupArn), and the S3 objects of a seed file
 *     (EvaluationDatasetSource.fromBucket, imports from a bucket). What is read but neither staged
 *     nor seeded is named, with what to put in the seed file, before anything is deployed;
 *   - after every operation, the checker compares the emulator with what the driver believes:
 *     leaks, duplicates, retained resources deleted, resources missing.
 *
 * Nothing is written into the assemblies.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { readFileAssets, readStacks, SynthesizedStack, UsageError } from './assembly';
import { constructPath } from './plan';
import { isCustomResourceType, Driver, OperationResult, Template } from '../rehearsal/driver';
import { resolve, ResolveContext } from '../rehearsal/driver/intrinsics';
import { denialLine, EmulatedPrincipal, Emulator, startEmulator } from '../rehearsal/emulator';
import { checkConsistency, describeFindings } from '../rehearsal/scenarios/checker';
import { firstLine, progressLine } from '../rehearsal/scenarios/progress';
import { RESOURCES, resourceNameOf } from '../src/contract';

export interface RehearseOptions {
  /** The cloud assembly to deploy. */
  readonly app: string;
  /** Stack names (or artifact ids) to rehearse; all when empty. */
  readonly stacks?: readonly string[];
  /** A second assembly to update the stacks to. */
  readonly updateTo?: string;
  /** A seed file: S3 objects and dataset groups the stacks read but do not make. */
  readonly seed?: string;
  /**
   * Simulated time: the Provider framework's waits and the handlers' clock run this much faster
   * than real time (0.02: a 1 s query interval takes 20 ms).
   * @default 0.02
   */
  readonly timeScale?: number;
  /** Where progress lines go. */
  readonly log: (line: string) => void;
}

export interface RehearseResult {
  /** Everything that went wrong; empty when the rehearsal passed. */
  readonly problems: string[];
  readonly leaks: number;
  readonly duplicates: number;
  readonly wronglyDeleted: number;
  readonly missing: number;
  readonly callsChecked: number;
  readonly callsDenied: number;
}

/**
 * What a seed file holds:
 *   { "s3": { "s3://bucket/key": "file, relative to the seed file" | { "text": "contents" } },
 *     "datasetGroups": ["arn:aws:personalize:...:dataset-group/name" | { "arn": "...", "domain": "ECOMMERCE" }] }
 */
export interface SeedFile {
  readonly s3?: Readonly<Record<string, string | { readonly text: string } | { readonly file: string }>>;
  readonly datasetGroups?: ReadonlyArray<string | { readonly arn: string; readonly domain?: string }>;
}

const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';
/** The time scale of `npm run rehearse` and the scenario suite. */
const DEFAULT_TIME_SCALE = 0.02;
/** Milliseconds per status step in the emulator. */
const EMULATOR_STEP_MS = 5;
/** The rehearsal's own calls (seeding): no stack's role, so the emulator does not authorize them. */
const SEEDING_ACCESS_KEY = 'cdk-datasets-rehearse-seed';
const DATASET_GROUP_ARN = /^arn:([\w-]+):personalize:([\w-]+):(\d{12}):dataset-group\/([a-zA-Z0-9][a-zA-Z0-9\-_]*)$/;

export async function rehearse(options: RehearseOptions): Promise<RehearseResult> {
  const { log } = options;
  const stacks = select(readStacks(options.app), options.stacks, options.app);
  if (!fs.statSync(options.app).isDirectory()) throw new UsageError(`${options.app}: rehearse needs a cloud assembly directory (what \`cdk synth\` writes)`);
  const updates = options.updateTo ? select(readStacks(options.updateTo), options.stacks, options.updateTo) : [];
  const all = [...stacks, ...updates];

  const imported = importedDatasetGroups(all, options.seed);
  const account = stacks.find((s) => s.account)?.account ?? imported[0]?.account ?? DEFAULT_ACCOUNT;
  const region = stacks.find((s) => s.region)?.region ?? imported[0]?.region ?? DEFAULT_REGION;
  const foreign = imported.filter((g) => g.account !== account || g.region !== region);
  if (foreign.length > 0) {
    throw new UsageError(`the stacks import dataset groups of another account or region than they are deployed to (${account}, ${region}): ` +
      `${foreign.map((g) => g.arn).join(', ')}. The emulator holds one account and region: rehearse stacks bound to one.`);
  }
  const objects = seededObjects(options, account, region);
  const unseeded = unseededReads(all, objects, account, region);
  if (unseeded.length > 0) {
    throw new UsageError(['the stacks read S3 objects that are neither file assets of the assembly nor in a seed file:',
      ...unseeded.map((u) => `  ${u.uri}  (${u.readBy})`),
      'Put a local copy of each in a seed file and pass it with --seed, e.g. seed.json:',
      `  ${JSON.stringify({ s3: Object.fromEntries(unseeded.map((u) => [u.uri, `./${path.basename(u.uri)}`])) })}`].join('\n'));
  }

  log(`Rehearsing ${stacks.map((s) => s.stackName).join(', ')} from ${options.app}${options.updateTo ? `, updated to ${options.updateTo}` : ''}, ` +
    `against the local emulator (account ${account}, region ${region})`);
  const drivers: Driver[] = [];
  const emu = await startEmulator({
    account,
    region,
    delays: { step: EMULATOR_STEP_MS },
    s3: objects,
    principals: (accessKeyId) => drivers.map((d) => d.principal(accessKeyId)).find((p) => p !== undefined) as EmulatedPrincipal | undefined,
  });
  const problems: string[] = [];
  /** Each checker finding once, however many operations saw it. */
  const findings = new Set<string>();
  const seeded = new Set<string>();
  const started = Date.now();
  const summary: string[] = [];
  try {
    for (const group of imported) {
      await seedDatasetGroup(emu, group);
      seeded.add(group.arn);
      log(`seeded the imported dataset group ${group.arn}`);
    }
    const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
    /** Fn::ImportValue across the rehearsed stacks: each deployed stack's exports. */
    const exports: Record<string, string> = {};
    const driverOf = new Map<string, Driver>();
    const newDriver = () => {
      const driver = new Driver({
        env: { ...emu.env, AWS_REGION: region, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        region,
        account,
        timeScale,
        handlerTimeScale: timeScale,
        imports: exports,
        // Someone else's custom resources: their handlers are not ours to run.
        standIn: (type) => isCustomResourceType(type) && resourceNameOf(type) === undefined,
        onProgress: (event) => log(progressLine(event)),
      });
      drivers.push(driver);
      return driver;
    };
    const check = (what: string) => {
      for (const finding of describeFindings(checkConsistency(emu.resources().filter((r) => !seeded.has(r.arn)), drivers))) {
        if (!findings.has(finding)) problems.push(`${what}: ${finding}`);
        findings.add(finding);
      }
    };
    const done = (stackName: string, result: OperationResult, expected: string): boolean => {
      summary.push(`${stackName} ${result.operation.padEnd(7)} ${result.status.padEnd(16)} ${String(result.durationMs).padStart(6)} ms`);
      if (result.status !== expected) {
        problems.push(`${stackName} ${result.operation} ended ${result.status}` +
          (result.failure ? `: ${result.failure.logicalId} ${result.failure.status}: ${firstLine(result.failure.reason)}` : ''));
      }
      return result.status === expected;
    };
    const collectExports = (stack: SynthesizedStack, driver: Driver) => {
      for (const [name, output] of Object.entries<any>(stack.template.Outputs ?? {})) {
        const exportName = output.Export?.Name;
        if (typeof exportName === 'string' && driver.outputs[name] !== undefined) exports[exportName] = String(driver.outputs[name]);
      }
    };

    for (const stack of stacks) {
      log(`\n== deploy ${stack.stackName}`);
      const driver = newDriver();
      const ok = done(stack.stackName, await driver.deploy(stack), 'CREATE_COMPLETE');
      check(`${stack.stackName} deploy`);
      if (ok) {
        driverOf.set(stack.stackName, driver);
        collectExports(stack, driver);
      }
    }
    for (const next of updates) {
      const driver = driverOf.get(next.stackName);
      if (!driver) {
        log(`\n== deploy ${next.stackName} (new in ${options.updateTo})`);
        const created = newDriver();
        if (done(next.stackName, await created.deploy(next), 'CREATE_COMPLETE')) driverOf.set(next.stackName, created);
      } else {
        log(`\n== update ${next.stackName} to ${options.updateTo}`);
        done(next.stackName, await driver.update(next), 'UPDATE_COMPLETE');
      }
      check(`${next.stackName} update`);
      const deployed = driverOf.get(next.stackName);
      if (deployed) collectExports(next, deployed);
    }
    for (const [stackName, driver] of [...driverOf].reverse()) {
      log(`\n== destroy ${stackName}`);
      done(stackName, await driver.destroy(), 'DELETE_COMPLETE');
      check(`${stackName} destroy`);
    }
  } finally {
    await Promise.all(drivers.map((d) => d.close()));
    await emu.close();
  }

  const final = checkConsistency(emu.resources().filter((r) => !seeded.has(r.arn)), drivers);
  const retained = drivers.flatMap((d) => d.record.retained).filter((r) => resourceNameOf(r.resourceType) !== undefined);
  const authorization = emu.authorization();
  problems.push(...authorization.denials.map((d) => `AccessDenied: ${denialLine(d)}`));
  const counted = (kind: string) => [...findings].filter((f) => f.startsWith(`${kind}: `)).length;
  const result: RehearseResult = {
    problems,
    leaks: counted('leak'),
    duplicates: counted('duplicate'),
    wronglyDeleted: counted('wrongly-deleted'),
    missing: counted('missing'),
    callsChecked: authorization.checked,
    callsDenied: authorization.denied,
  };
  log(`\n== summary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  summary.forEach((line) => log(`  ${line}`));
  log(`  leaks:           ${result.leaks}`);
  log(`  duplicates:      ${result.duplicates}`);
  log(`  wrongly deleted: ${result.wronglyDeleted}`);
  log(`  missing:         ${result.missing}`);
  log(`  retained:        ${final.retained} (left on purpose by RETAIN: ${retained.map((r) => r.logicalId).join(', ') || 'none'})`);
  log(`  IAM:             ${result.callsChecked} handler calls authorized against their role's policies, ${result.callsDenied} denied`);
  log(`  emulator calls:  ${Object.entries(emu.counts()).map(([op, n]) => `${op} ${n}`).join(', ') || 'none'}`);
  return result;
}

function select(stacks: SynthesizedStack[], names: readonly string[] | undefined, where: string): SynthesizedStack[] {
  if (!names || names.length === 0) return stacks;
  const missing = names.filter((n) => !stacks.some((s) => s.stackName === n || s.artifactId === n));
  if (missing.length > 0) throw new UsageError(`no stack ${missing.join(', ')} in ${where} (it has ${stacks.map((s) => s.stackName).join(', ')})`);
  return stacks.filter((s) => names.includes(s.stackName) || names.includes(s.artifactId));
}

// ---- what the stacks read but do not make ----

interface ImportedGroup {
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly domain?: string;
}

/** Dataset groups the stacks use by ARN (a literal, or one built from pseudo parameters only), and those of the seed file. */
function importedDatasetGroups(stacks: readonly SynthesizedStack[], seedFile: string | undefined): ImportedGroup[] {
  const found = new Map<string, ImportedGroup>();
  const add = (arn: string, domain?: string) => {
    const match = DATASET_GROUP_ARN.exec(arn);
    if (!match) throw new UsageError(`${arn} is not a Personalize dataset group ARN`);
    found.set(arn, { arn, region: match[2], account: match[3], name: match[4], domain: domain ?? found.get(arn)?.domain });
  };
  for (const { resource, value } of libraryValues(stacks, ['Dataset', 'EventTracker'], 'DatasetGroupArn')) {
    if (typeof value === 'string') add(value);
    void resource;
  }
  for (const entry of readSeed(seedFile)?.datasetGroups ?? []) {
    if (typeof entry === 'string') add(entry);
    else add(entry.arn, entry.domain);
  }
  return [...found.values()];
}

/** The objects the emulator starts with: the assemblies' file assets, then the seed file's. */
function seededObjects(options: RehearseOptions, account: string, region: string): Record<string, string> {
  const objects: Record<string, string> = {};
  for (const dir of [options.app, options.updateTo].filter((d): d is string => d !== undefined)) {
    for (const asset of readFileAssets(dir)) {
      const text = fs.readFileSync(asset.file, 'utf8');
      for (const uri of asset.destinations) objects[withPseudo(uri, account, region)] = text;
    }
  }
  const seed = readSeed(options.seed);
  for (const [uri, source] of Object.entries(seed?.s3 ?? {})) {
    if (!/^s3:\/\/[^/]+\/.+/.test(uri)) throw new UsageError(`seed file ${options.seed}: ${uri} is not an s3://bucket/key uri`);
    if (typeof source === 'object' && 'text' in source) {
      objects[uri] = source.text;
      continue;
    }
    const file = path.resolve(path.dirname(options.seed!), typeof source === 'string' ? source : source.file);
    if (!fs.existsSync(file)) throw new UsageError(`seed file ${options.seed}: ${uri} names ${file}, which does not exist`);
    objects[uri] = fs.readFileSync(file, 'utf8');
  }
  return objects;
}

/** The S3 objects the handlers or the service will read (where the uri is known before deploying) that nothing seeds. */
function unseededReads(stacks: readonly SynthesizedStack[], objects: Record<string, string>, account: string, region: string) {
  const reads = [
    ...libraryValues(stacks, ['EvaluationDataset'], 'S3Uri', account, region),
    ...libraryValues(stacks, ['DatasetImport'], 'StagedFrom', account, region),
    ...libraryValues(stacks, ['DatasetImport'], 'DataLocation', account, region).filter(({ properties }) => properties.StagedFrom === undefined),
  ];
  const missing = new Map<string, string>();
  for (const { stackName, resource, value } of reads) {
    if (typeof value !== 'string' || !value.startsWith('s3://')) continue;
    const known = value.endsWith('/') ? Object.keys(objects).some((uri) => uri.startsWith(value)) : value in objects;
    if (!known) missing.set(value, `read by ${stackName}/${resource}`);
  }
  return [...missing].map(([uri, readBy]) => ({ uri, readBy }));
}

/** A property of the library's resources of some types, resolved where it needs no other resource (undefined otherwise). */
function libraryValues(stacks: readonly SynthesizedStack[], types: readonly (keyof typeof RESOURCES)[], key: string,
  account = DEFAULT_ACCOUNT, region = DEFAULT_REGION) {
  const values: Array<{ stackName: string; resource: string; value: unknown; properties: Record<string, unknown> }> = [];
  for (const stack of stacks) {
    for (const [id, r] of Object.entries(stack.template.Resources)) {
      const name = resourceNameOf(r.Type);
      if (!name || !types.includes(name) || r.Properties?.[key] === undefined) continue;
      const value = resolvedAlone(r.Properties[key], stack, account, region);
      values.push({ stackName: stack.stackName, resource: constructPath(r) ?? id, value, properties: r.Properties });
    }
  }
  return values;
}

/** A value resolved with the pseudo parameters and the template's parameter defaults, or undefined when it reads a resource. */
function resolvedAlone(value: unknown, stack: SynthesizedStack, account: string, region: string): unknown {
  const template: Template = stack.template;
  const ctx: ResolveContext = {
    pseudo: {
      'AWS::AccountId': stack.account ?? account,
      'AWS::Region': stack.region ?? region,
      'AWS::Partition': partitionOf(stack.region ?? region),
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.stackName,
    },
    parameters: Object.fromEntries(Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, p.Default])),
    mappings: template.Mappings ?? {},
    imports: {},
    condition: () => true,
    ref: () => {
      throw new Error('reads a resource');
    },
    getAtt: () => {
      throw new Error('reads a resource');
    },
  };
  try {
    return resolve(value, ctx);
  } catch {
    return undefined;
  }
}

function withPseudo(uri: string, account: string, region: string): string {
  return uri.replace(/\$\{AWS::AccountId\}/g, account).replace(/\$\{AWS::Region\}/g, region).replace(/\$\{AWS::Partition\}/g, partitionOf(region));
}

function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

function readSeed(file: string | undefined): SeedFile | undefined {
  if (!file) return undefined;
  if (!fs.existsSync(file)) throw new UsageError(`the seed file ${file} does not exist`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SeedFile;
  } catch (error) {
    throw new UsageError(`the seed file ${file} is not JSON: ${(error as Error).message}`);
  }
}

/** Creates an imported dataset group in the emulator, as the rehearsal (not a stack's role), and waits for it to be ACTIVE. */
async function seedDatasetGroup(emu: Emulator, group: ImportedGroup): Promise<void> {
  const body = JSON.stringify({ name: group.name, ...(group.domain ? { domain: group.domain } : {}) });
  const answer = await new Promise<{ status: number; text: string }>((resolveAnswer, reject) => {
    const request = http.request(emu.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonPersonalize.CreateDatasetGroup',
        'authorization': `AWS4-HMAC-SHA256 Credential=${SEEDING_ACCESS_KEY}/20260101/${group.region}/personalize/aws4_request, SignedHeaders=host, Signature=0`,
      },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolveAnswer({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
  const arn = answer.status === 200 ? JSON.parse(answer.text).datasetGroupArn : undefined;
  if (arn !== group.arn) throw new Error(`could not seed the imported dataset group ${group.arn} in the emulator: ${answer.status} ${answer.text}`);
  await emu.waitFor(group.arn, 'ACTIVE', 10_000);
}
