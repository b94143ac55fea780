/**
 * What `npm run rehearse` does to the example app (examples/app.ts) between its deploy and its
 * destroy: a second version of the app, made by changing the constructs `buildExampleApp` built,
 * through the escape hatches (the example builds one version only):
 *
 *   - a tag on everything (rehearsal=v2): every dataset group, dataset and evaluation dataset is
 *     updated in place;
 *   - every evaluation dataset: a new description, and one example more (for a file source, as if
 *     the file had been edited: the examples are read from another S3 object): in place, same id,
 *     a new version;
 *   - every Items or Users dataset whose schema no other dataset uses: a new optional field in the
 *     schema: the schema is replaced, the dataset takes it in place (UpdateDataset);
 *   - a dataset group with a generated name that no dataset of the app is in: another domain,
 *     which replaces it (its old self is retained if its removal policy says so);
 *   - every event tracker: the tag only, in place (its tracking id, which functions were handed,
 *     does not change).
 *
 * And what the emulator needs to read the S3 objects the app's evaluation datasets use, and the
 * rehearsal itself (rehearseExample), which `npm run rehearse` runs, and the scenario suite too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AssetStaging, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { checkConsistency, describeFindings } from './checker';
import { Rehearsal } from './harness';
import { firstLine, progressLine } from './progress';
import { buildExampleApp } from '../../examples/app';
import { Dataset, DatasetGroup, DatasetsProvider, EvaluationDataset, EventTracker, Schema } from '../../src';
import { Driver, OperationResult } from '../driver';
import { denialLine } from '../emulator';

export { firstLine, progressLine } from './progress';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** A change the second version makes to one of the library's resources, and what should follow. */
export interface ExampleChange {
  /** The construct's path, e.g. `Recommendations/Video`. */
  readonly path: string;
  readonly stackName: string;
  /** The custom resource's logical id. */
  readonly logicalId: string;
  /** `in-place`: the same physical resource; `replacement`: a new one. */
  readonly expect: 'in-place' | 'replacement';
  readonly what: string;
  /** Evaluation datasets whose examples change: the version attribute goes up. */
  readonly newVersion?: boolean;
  /** An attribute the update must leave as it was (an event tracker's TrackingId). */
  readonly sameAttribute?: string;
}

/** The bucket of the S3 objects the second version's evaluation datasets read. */
const V2_BUCKET = 'rehearsal-example-v2';

/**
 * Makes the app the second version of the example. `s3` receives the S3 objects it adds (uri >
 * JSONL text), for the emulator. Returns the changes, tags aside.
 */
export function applyExampleUpdate(app: App, s3: Record<string, string>): ExampleChange[] {
  const changes: ExampleChange[] = [];
  const all = app.node.findAll();
  for (const stack of app.node.children.filter(Stack.isStack)) Tags.of(stack).add('rehearsal', 'v2');

  for (const evals of all.filter((c): c is EvaluationDataset => c instanceof EvaluationDataset)) {
    const cfn = resourceOf(evals);
    const props = cfnProperties(cfn);
    const description = `${props.Description ?? 'Evaluation set'} (rehearsal v2)`.slice(0, 200);
    cfn.addPropertyOverride('Description', description);
    let examples: string;
    if (typeof props.InlineExamples === 'string') {
      const list = JSON.parse(props.InlineExamples) as object[];
      cfn.addPropertyOverride('InlineExamples', JSON.stringify([...list, anotherExample(list[list.length - 1])]));
      examples = 'one inline example more';
    } else {
      const file = stagedFile(evals);
      if (!file) continue;
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const key = `${evals.node.path.replace(/[^\w-]+/g, '-')}.jsonl`;
      const uri = `s3://${V2_BUCKET}/${key}`;
      s3[uri] = [...lines, JSON.stringify(anotherExample(JSON.parse(lines[lines.length - 1])))].join('\n') + '\n';
      cfn.addPropertyOverride('S3Uri', uri);
      // The override goes round the construct, so the read it would grant is granted here: the
      // handler reads a changed source itself.
      DatasetsProvider.of(evals).handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${V2_BUCKET}/${key}`],
      }));
      examples = `one example more (the file, edited, read from ${uri})`;
    }
    changes.push({ ...where(evals), expect: 'in-place', what: `description "${description}", ${examples}`, newVersion: true });
  }

  const datasets = all.filter((c): c is Dataset => c instanceof Dataset);
  for (const dataset of datasets) {
    const { schema } = dataset;
    if (!['ITEMS', 'USERS'].includes(dataset.datasetType.value.toUpperCase()) || !(schema instanceof Schema)) continue;
    if (datasets.some((d) => d !== dataset && d.schema === schema)) continue;
    const cfn = resourceOf(schema);
    const document = JSON.parse(String(Stack.of(schema).resolve(cfnProperties(cfn).Schema)));
    document.fields = [...document.fields, { name: 'REHEARSAL_V2', type: ['null', 'float'], default: null }];
    cfn.addPropertyOverride('Schema', JSON.stringify(document));
    changes.push({ ...where(schema), expect: 'replacement', what: 'a new optional field REHEARSAL_V2: a new schema' });
    changes.push({ ...where(dataset), expect: 'in-place', what: `takes the new schema of ${schema.node.path} (UpdateDataset)` });
  }

  const groups = all.filter((c): c is DatasetGroup => c instanceof DatasetGroup);
  const replaced = groups.find((g) => cfnProperties(resourceOf(g)).Name === undefined
    && !datasets.some((d) => d.datasetGroup === g));
  if (replaced) {
    const domain = replaced.domain === 'ECOMMERCE' ? 'VIDEO_ON_DEMAND' : 'ECOMMERCE';
    resourceOf(replaced).addPropertyOverride('Domain', domain);
    changes.push({ ...where(replaced), expect: 'replacement', what: `domain ${replaced.domain ?? '(none)'} -> ${domain}: a new dataset group` });
  }

  for (const tracker of all.filter((c): c is EventTracker => c instanceof EventTracker)) {
    changes.push({ ...where(tracker), expect: 'in-place', what: 'the tag rehearsal=v2, same tracking id', sameAttribute: 'TrackingId' });
  }
  return changes;
}

/**
 * The S3 objects of an assembly's file assets that hold JSONL (evaluation examples), under the
 * URIs the templates resolve them to, for the emulator's `s3Source` reads.
 */
export function jsonlAssetObjects(assembly: CloudAssembly, account: string, region: string): Record<string, string> {
  const objects: Record<string, string> = {};
  for (const artifact of assembly.artifacts) {
    const manifest = (artifact as { file?: string }).file;
    if (!manifest || !manifest.endsWith('.assets.json')) continue;
    const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, path.basename(manifest)), 'utf8'));
    for (const asset of Object.values<any>(assets.files ?? {})) {
      const source = path.join(assembly.directory, asset.source.path);
      if (asset.source.packaging === 'zip' || !source.endsWith('.jsonl') || !fs.existsSync(source)) continue;
      for (const destination of Object.values<any>(asset.destinations)) {
        const bucket = String(destination.bucketName).replace('${AWS::AccountId}', account).replace('${AWS::Region}', region)
          .replace('${AWS::Partition}', 'aws');
        objects[`s3://${bucket}/${destination.objectKey}`] = fs.readFileSync(source, 'utf8');
      }
    }
  }
  return objects;
}

// ---- the rehearsal of the example ----

export interface ExampleRehearsalOptions {
  /** Where to synthesize the two versions. */
  readonly workdir: string;
  /** Where the progress lines and the summary go. */
  readonly log: (line: string) => void;
  /** @default DEFAULT_TIME_SCALE */
  readonly timeScale?: number;
}

/**
 * Deploys the example app (examples/app.ts) against the emulator, updates it to its second version
 * (applyExampleUpdate), destroys it, and returns what went wrong: an operation that did not end as
 * it should, a checker finding, a change not made as expected, a retained resource gone, a resource
 * left that was not retained. One progress line per resource event goes to `log`.
 */
export async function rehearseExample(options: ExampleRehearsalOptions): Promise<string[]> {
  const { workdir, log } = options;
  const problems: string[] = [];
  const s3: Record<string, string> = {};

  log('Synthesizing examples/app.ts (version 1, and version 2 for the update)...');
  const v1 = buildExampleApp(new App({ outdir: path.join(workdir, 'v1') })).synth();
  const app2 = buildExampleApp(new App({ outdir: path.join(workdir, 'v2') }));
  const changes = applyExampleUpdate(app2, s3);
  const v2 = app2.synth();
  Object.assign(s3, jsonlAssetObjects(v1, ACCOUNT, REGION), jsonlAssetObjects(v2, ACCOUNT, REGION));

  const rehearsal = await Rehearsal.start({ s3, timeScale: options.timeScale });
  const started = Date.now();
  const summary: string[] = [];
  try {
    for (const stack of v1.stacks) {
      const driver = rehearsal.driver({ onProgress: (e) => log(progressLine(e)) });
      const check = (operation: string) => {
        const findings = describeFindings(checkConsistency(rehearsal.emu.resources(), [driver]));
        problems.push(...findings.map((f) => `${stack.stackName} ${operation}: ${f}`));
        return findings.length;
      };
      const done = (result: OperationResult, expected: string) => {
        const line = `${stack.stackName} ${result.operation.padEnd(7)} ${result.status.padEnd(16)} ${String(result.durationMs).padStart(6)} ms`;
        summary.push(line);
        if (result.status !== expected) {
          problems.push(`${stack.stackName} ${result.operation} ended ${result.status}` +
            (result.failure ? `: ${result.failure.logicalId} ${result.failure.status}: ${firstLine(result.failure.reason)}` : ''));
        }
        return result.status === expected;
      };

      log(`\n== deploy ${stack.stackName} (version 1)`);
      if (!done(await driver.deploy(v1, stack.stackName), 'CREATE_COMPLETE')) continue;
      check('deploy');
      const before = { ...driver.physicalIds() };
      const libraryResources = Object.keys(before).length;
      for (const [logicalId, physicalId] of Object.entries(before)) {
        const info = rehearsal.emu.resource(physicalId);
        if (info?.status !== 'ACTIVE') problems.push(`${stack.stackName} deploy: ${logicalId} is ${info?.status ?? 'not in the emulator'}, not ACTIVE`);
      }

      const mine = changes.filter((c) => c.stackName === stack.stackName);
      log(`\n== update ${stack.stackName} to version 2: a tag on everything (rehearsal=v2)` +
        mine.map((c) => `\n   ${c.path}: ${c.what} (${c.expect})`).join(''));
      const versionsBefore = versionAttributes(driver);
      const attributesBefore = attributesOf(driver);
      const updated = done(await driver.update(v2, stack.stackName), 'UPDATE_COMPLETE');
      check('update');
      if (updated) problems.push(...checkChanges(stack.stackName, mine, before, driver, versionsBefore, rehearsal));
      if (updated) problems.push(...checkKeptAttributes(stack.stackName, mine, attributesBefore, driver));

      log(`\n== destroy ${stack.stackName}`);
      done(await driver.destroy(), 'DELETE_COMPLETE');
      check('destroy');
      const retained = driver.record.retained.filter((r) => r.resourceType.startsWith('Custom::'));
      for (const r of retained) {
        const info = rehearsal.emu.resource(r.physicalId);
        if (!info || info.status === 'DELETED') problems.push(`${stack.stackName}: ${r.logicalId} was retained but is gone from the emulator`);
      }
      summary.push(`${stack.stackName}: ${libraryResources} library resources deployed, ${mine.length} changed by the update, ` +
        `${retained.length} retained (still in the emulator: ${retained.map((r) => `${r.logicalId} [${r.policy}]`).join(', ') || 'none'})`);
      const live = rehearsal.emu.resources().filter((r) => r.status !== 'DELETED');
      const unexplained = live.filter((r) => !retained.some((k) => k.physicalId === r.arn));
      unexplained.forEach((r) => problems.push(`${stack.stackName} destroy: ${r.type} ${r.name} is still in the emulator but was not retained`));
      summary.push(`${stack.stackName}: the emulator holds ${live.length} live resources after the destroy, ` +
        `${live.length - unexplained.length} of them retained on purpose`);
    }
    // Every answer was checked against the SDK's model: a departure is an emulator bug.
    problems.push(...rehearsal.emu.modelViolations().map((v) => `the emulator answered outside the SDK's model: ${v.message}`));
    // Every handler call was authorized against its role's policies in the template, as IAM would.
    const authorization = rehearsal.emu.authorization();
    summary.push(`IAM: ${authorization.checked} handler calls authorized against their role's policies, ${authorization.denied} denied`);
    problems.push(...authorization.denials.map((d) => `AccessDenied: ${denialLine(d)}`));
  } finally {
    await rehearsal.close();
  }

  log(`\n== summary (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  summary.forEach((line) => log(`  ${line}`));
  log(`  emulator calls: ${Object.entries(rehearsal.emu.counts()).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  return problems;
}

/** Checks that each change of the second version was made as expected. */
function checkChanges(stackName: string, changes: ExampleChange[], before: Record<string, string>, driver: Driver,
  versionsBefore: Record<string, string>, rehearsal: Rehearsal): string[] {
  const problems: string[] = [];
  const after = driver.physicalIds();
  const versionsAfter = versionAttributes(driver);
  for (const change of changes) {
    const [was, now] = [before[change.logicalId], after[change.logicalId]];
    const replaced = was !== now;
    if (change.expect === 'in-place' && replaced) problems.push(`${stackName} update: ${change.path} was replaced, not updated in place`);
    if (change.expect === 'replacement') {
      if (!replaced) problems.push(`${stackName} update: ${change.path} was not replaced`);
      const old = rehearsal.emu.resource(was);
      const kept = driver.record.retained.some((r) => r.physicalId === was && r.policy === 'UpdateReplacePolicy');
      if (kept && old?.status === 'DELETED') problems.push(`${stackName} update: the replaced ${change.path} was retained but is gone`);
      if (!kept && old?.status !== 'DELETED') problems.push(`${stackName} update: the replaced ${change.path} was neither retained nor deleted`);
    }
    if (change.newVersion && !(Number(versionsAfter[change.logicalId]) > Number(versionsBefore[change.logicalId]))) {
      problems.push(`${stackName} update: ${change.path} published no new version ` +
        `(${versionsBefore[change.logicalId]} -> ${versionsAfter[change.logicalId]})`);
    }
    if (rehearsal.emu.resource(now)?.status !== 'ACTIVE') problems.push(`${stackName} update: ${change.path} is not ACTIVE`);
  }
  return problems;
}

/** Checks that the attributes the changes must keep (a tracker's tracking id) are as they were. */
function checkKeptAttributes(stackName: string, changes: ExampleChange[], before: Record<string, Record<string, unknown>>,
  driver: Driver): string[] {
  const after = attributesOf(driver);
  return changes.filter((c) => c.sameAttribute !== undefined)
    .filter((c) => before[c.logicalId]?.[c.sameAttribute!] !== after[c.logicalId]?.[c.sameAttribute!])
    .map((c) => `${stackName} update: ${c.path} changed its ${c.sameAttribute} ` +
      `(${before[c.logicalId]?.[c.sameAttribute!]} -> ${after[c.logicalId]?.[c.sameAttribute!]})`);
}

// ---- helpers ----

/** Every custom resource's attributes, by logical id. */
function attributesOf(driver: Driver): Record<string, Record<string, unknown>> {
  return Object.fromEntries(driver.resources().filter((r) => r.custom).map((r) => [r.logicalId, { ...r.attributes }]));
}

/** Evaluation datasets' DatasetVersion attributes, by logical id. */
function versionAttributes(driver: Driver): Record<string, string> {
  return Object.fromEntries(driver.resources().filter((r) => r.attributes.DatasetVersion !== undefined)
    .map((r) => [r.logicalId, String(r.attributes.DatasetVersion)]));
}


/** The construct's custom resource (its `Resource` child's CfnResource). */
function resourceOf(construct: IConstruct): CfnResource {
  return construct.node.findChild('Resource').node.defaultChild as CfnResource;
}

/** The properties the construct gave its custom resource. */
function cfnProperties(cfn: CfnResource): Record<string, any> {
  return (cfn as unknown as { _cfnProperties: Record<string, any> })._cfnProperties ?? {};
}

function where(construct: IConstruct): Pick<ExampleChange, 'path' | 'stackName' | 'logicalId'> {
  const stack = Stack.of(construct);
  return { path: construct.node.path, stackName: stack.stackName, logicalId: stack.getLogicalId(resourceOf(construct)) };
}

/** The local file of an evaluation dataset's asset source, if it has one. */
function stagedFile(evals: EvaluationDataset): string | undefined {
  const asset = evals.node.children.find((c): c is s3_assets.Asset => c instanceof s3_assets.Asset);
  const staging = asset?.node.tryFindChild('Stage');
  return staging instanceof AssetStaging ? staging.sourcePath : undefined;
}

/** A copy of an example under another scenario id (when it has one). */
function anotherExample(example: any): object {
  const copy = JSON.parse(JSON.stringify(example ?? {}));
  if (typeof copy.scenario_id === 'string') copy.scenario_id = `${copy.scenario_id}-rehearsal-v2`;
  return copy;
}
