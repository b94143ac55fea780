/**
 * Synthesis figures: the cost of synthesizing our constructs against aws-cdk-lib's L1 resources,
 * what each instance adds to the template, what the provider adds once, and how many instances
 * one stack holds within CloudFormation's and IAM's limits.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as personalize from 'aws-cdk-lib/aws-personalize';
import { DatasetGroup, DatasetType, EvaluationDataset, EvaluationDatasetSource, EvaluationSchemaType, Schema, SchemaField } from '../src';

const INTERACTIONS_FIELDS = () => [
  SchemaField.string('USER_ID'),
  SchemaField.string('ITEM_ID'),
  SchemaField.long('TIMESTAMP'),
];

const INTERACTIONS_AVRO = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [
    { name: 'USER_ID', type: 'string' },
    { name: 'ITEM_ID', type: 'string' },
    { name: 'TIMESTAMP', type: 'long' },
  ],
  version: '1.0',
});

export type Flavour = 'ours' | 'l1';

/** A stack of `groups` dataset groups, each with an Interactions dataset sharing one schema. */
export function buildStack(flavour: Flavour, groups: number, app = new App(), id = 'Bench'): Stack {
  const stack = new Stack(app, id);
  if (flavour === 'ours') {
    const schema = new Schema(stack, 'Schema', { datasetType: DatasetType.INTERACTIONS, fields: INTERACTIONS_FIELDS() });
    for (let i = 0; i < groups; i++) {
      const group = new DatasetGroup(stack, `Group${i}`);
      group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    }
  } else {
    const schema = new personalize.CfnSchema(stack, 'Schema', { name: 'bench-interactions', schema: INTERACTIONS_AVRO });
    for (let i = 0; i < groups; i++) {
      const group = new personalize.CfnDatasetGroup(stack, `Group${i}`, { name: `bench-group-${i}` });
      new personalize.CfnDataset(stack, `Group${i}Interactions`, {
        name: `bench-interactions-${i}`,
        datasetGroupArn: group.attrDatasetGroupArn,
        datasetType: 'Interactions',
        schemaArn: schema.attrSchemaArn,
      });
    }
  }
  return stack;
}

export interface Template {
  readonly Resources: Record<string, { Type: string; Properties?: any }>;
}

export function synthTemplate(flavour: Flavour, groups: number, app = new App()): Template {
  const stack = buildStack(flavour, groups, app);
  return app.synth().getStackByName(stack.stackName).template;
}

/** Milliseconds to build and synthesize one app, in a fresh App each time. */
function timeSynth(flavour: Flavour, groups: number): number {
  const start = process.hrtime.bigint();
  synthTemplate(flavour, groups);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Median synth time of ours and of the L1 equivalent, runs interleaved so both see the same machine.
 *
 * Each run includes the initialization of aws-cdk-lib's CloudFormation validation engine for the
 * run's resource types, as a `cdk synth` of the app pays it once: the engine is a process-wide
 * singleton that is initialized again whenever a template brings resource types it was not
 * initialized with, and the two sides have no type in common, so with runs interleaved every run
 * initializes it (about 160-230 ms on the bench machine, close to equal for both sides, and the
 * larger part of an L1 run). {@link synthRatioWarmEngine} leaves it out.
 */
export function synthRatio(groups = 100, runs = 7): { oursMs: number; l1Ms: number; ratio: number } {
  timeSynth('ours', groups); // warm both code paths (module loading, JIT) before measuring
  timeSynth('l1', groups);
  const ours: number[] = [];
  const l1: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(timeSynth('ours', groups));
    l1.push(timeSynth('l1', groups));
  }
  return { oursMs: median(ours), l1Ms: median(l1), ratio: median(ours) / median(l1) };
}

/**
 * As {@link synthRatio}, with the validation engine initialized once, beforehand, for both sides'
 * resource types (one app holding both stacks), so that no run pays its initialization: what the
 * constructs and their templates cost, as in a process that synthesizes the same app repeatedly
 * (a test suite, say). The engine then holds the rules of both sides' types; each template is
 * still validated alone.
 */
export function synthRatioWarmEngine(groups = 100, runs = 7): { oursMs: number; l1Ms: number; ratio: number } {
  const app = new App();
  buildStack('ours', 1, app, 'WarmOurs');
  buildStack('l1', 1, app, 'WarmL1');
  app.synth();
  return synthRatio(groups, runs);
}

export function resourceCount(template: Template): number {
  return Object.keys(template.Resources).length;
}

/** Resources one more group with its dataset adds, beyond what the L1 equivalent adds. */
export function marginalResources(): { ours: number; l1: number; marginal: number } {
  const ours = resourceCount(synthTemplate('ours', 2)) - resourceCount(synthTemplate('ours', 1));
  const l1 = resourceCount(synthTemplate('l1', 2)) - resourceCount(synthTemplate('l1', 1));
  return { ours, l1, marginal: ours - l1 };
}

/** Resources the provider adds once per stack: ours minus the L1 equivalent, both with one group. */
export function fixedResources(): { count: number; types: Record<string, number> } {
  const ours = synthTemplate('ours', 1);
  const types: Record<string, number> = {};
  for (const resource of Object.values(ours.Resources)) {
    if (!resource.Type.startsWith('Custom::')) types[resource.Type] = (types[resource.Type] ?? 0) + 1;
  }
  return { count: resourceCount(ours) - resourceCount(synthTemplate('l1', 1)), types };
}

/** Which of the library's services a stack uses. */
export type ServiceMix = 'personalize' | 'agentcore' | 'both';

/**
 * Resources the library adds to a stack beyond its own custom resources, by the services the stack
 * uses: one provider serves them all, so a stack with both pays what a stack with one pays.
 */
export function fixedResourcesByMix(): Record<ServiceMix, number> {
  const count = (mix: ServiceMix) => {
    const app = new App();
    const stack = new Stack(app, 'Mix');
    if (mix !== 'agentcore') new DatasetGroup(stack, 'Group');
    if (mix !== 'personalize') {
      new EvaluationDataset(stack, 'Evaluation', {
        schemaType: EvaluationSchemaType.AGENTCORE_EVALUATION_PREDEFINED_V1,
        source: EvaluationDatasetSource.fromInline([{ scenario_id: 'bench', turns: [{ input: 'hi' }] }]),
      });
    }
    const template: Template = app.synth().getStackByName(stack.stackName).template;
    return Object.values(template.Resources).filter((r) => !r.Type.startsWith('Custom::')).length;
  };
  return { personalize: count('personalize'), agentcore: count('agentcore'), both: count('both') };
}

/** CloudFormation: 500 resources, 1 MB template (uploaded through S3). IAM: 10,240 characters of inline policy per role. */
const LIMITS = { resources: 500, templateBytes: 1_000_000, inlinePolicyCharsPerRole: 10_240, managedPolicyChars: 6_144 };

/** Why a template of `groups` instances does not fit, or undefined when it does. */
export function exceedsLimits(groups: number): string | undefined {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  let template: Template;
  try {
    template = synthTemplate('ours', groups, app);
  } catch (error) {
    return `schema validation: ${(error as Error).message.split('\n')[0]}`;
  }
  if (resourceCount(template) > LIMITS.resources) return `${resourceCount(template)} resources`;
  const bytes = Buffer.byteLength(JSON.stringify(template));
  if (bytes > LIMITS.templateBytes) return `${bytes} bytes of template`;
  const inlineByRole = new Map<string, number>();
  for (const resource of Object.values(template.Resources)) {
    // Unresolved ARNs render as intrinsic objects here, longer than the ARNs IAM sees: an upper bound.
    const chars = JSON.stringify(resource.Properties?.PolicyDocument ?? '').replace(/\s/g, '').length;
    if (resource.Type === 'AWS::IAM::ManagedPolicy' && chars > LIMITS.managedPolicyChars) return `a managed policy of ${chars} characters`;
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    for (const role of resource.Properties.Roles ?? []) {
      const key = JSON.stringify(role);
      inlineByRole.set(key, (inlineByRole.get(key) ?? 0) + chars);
    }
  }
  for (const [role, chars] of inlineByRole) {
    if (chars > LIMITS.inlinePolicyCharsPerRole) return `${chars} characters of inline policy on ${role}`;
  }
  return undefined;
}

/** The largest number of instances that fits, by bisection up to `upper`. */
export function scaleLimit(upper = 600): { instances: number; limitedBy: string } {
  let low = 1;
  let high = upper;
  let limitedBy = `not reached up to ${upper}`;
  if (!exceedsLimits(high)) return { instances: high, limitedBy };
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const reason = exceedsLimits(mid);
    if (reason) {
      high = mid;
      limitedBy = reason;
    } else {
      low = mid;
    }
  }
  return { instances: low, limitedBy };
}
