/**
 * `cdk-datasets plan`: what a deployment of a new template would do to each resource of the
 * library, decided before anything is deployed, with the rules the handlers decide with
 * (lambda/rules.ts, lambda/core/replacement.ts):
 *
 *   create     a resource the old template does not have;
 *   update     changed in place (the properties that change are listed);
 *   replace    a new resource under a new generated name, the old one deleted with what it holds;
 *   refused    a change the handler refuses before any call (a fixed name that would need a
 *              replacement, a change the service can make neither in place nor by a replacement):
 *              the deployment fails and rolls back;
 *   delete     a resource the new template no longer has, deleted or retained by its removal policy;
 *   unchanged  nothing the handler would act on.
 *
 * The handlers see properties as CloudFormation resolves them; the plan sees templates. A reference
 * (Ref, Fn::GetAtt, Fn::Sub) to a resource that the deployment creates or replaces resolves to a new
 * value, so a property that holds one changes: that is how a replaced dataset group replaces its
 * datasets, and a replaced schema gives a dataset a new schema. References to other resources are
 * taken to keep their values (CloudFormation's own replacement rules for them are not modelled).
 */
import type { SynthesizedStack } from './assembly';
import { UsageError } from './assembly';
import { changedProperties, fixedNameRefusal } from '../lambda/core/replacement';
import { RULES, sameSchemaContent, schemaChangeRefusal, schemaUpdatable } from '../lambda/rules';
import type { Template, TemplateResource } from '../rehearsal/driver';
import { referencedIds } from '../rehearsal/driver/intrinsics';
import { decodeProperties, RESOURCES, resourceNameOf, type ResourceName } from '../src/contract';

export type PlanAction = 'create' | 'update' | 'replace' | 'refused' | 'delete' | 'unchanged';
/** The actions `--fail-on` can name. */
export const FAILING_ACTIONS: readonly PlanAction[] = ['replace', 'refused', 'delete'];

export interface ResourcePlan {
  readonly stackName: string;
  readonly logicalId: string;
  /** The construct path (aws:cdk:path without its trailing Resource/Default), when the template has it. */
  readonly path?: string;
  readonly resourceType: string;
  /** e.g. `Personalize dataset group`. */
  readonly description: string;
  readonly action: PlanAction;
  /** The properties that differ (operational ones such as Tags included), for updates and replacements. */
  readonly changed: readonly string[];
  /** replace: the changed properties that force it. */
  readonly replacedBy?: readonly string[];
  /** Why a property changes although its text does not: `DatasetGroupArn: Group is replaced`. */
  readonly cascade?: readonly string[];
  /** refused: the handler's message. */
  readonly reason?: string;
  /** replace, delete: what is lost with the old resource. */
  readonly lost?: readonly string[];
  /** delete: the removal policy; replace: what becomes of the old resource. */
  readonly removalPolicy?: 'retain' | 'destroy';
  /** What else is worth knowing (a new version is published, the tracking id changes...). */
  readonly notes?: readonly string[];
}

export interface StackPlan {
  readonly stackName: string;
  /** Whether the stack is new, gone, or in both. */
  readonly change: 'new' | 'removed' | 'changed';
  readonly resources: readonly ResourcePlan[];
}

export interface Plan {
  readonly stacks: readonly StackPlan[];
  readonly counts: Readonly<Record<PlanAction, number>>;
}

/** Compares the stacks of two assemblies (or a template and an assembly), pairing them by stack name. */
export function planStacks(from: readonly SynthesizedStack[], to: readonly SynthesizedStack[], only?: string): Plan {
  const pairs: Array<{ stackName: string; old?: Template; next?: Template }> = [];
  const selected = (s: SynthesizedStack) => only === undefined || s.stackName === only || s.artifactId === only;
  if (only !== undefined && !from.some(selected) && !to.some(selected)) {
    throw new UsageError(`no stack ${only} in either assembly (they have ${[...new Set([...from, ...to].map((s) => s.stackName))].join(', ')})`);
  }
  // One template against one stack of another name: a template file (named after the file) and its stack.
  if (from.length === 1 && to.length === 1 && from[0].stackName !== to[0].stackName) {
    pairs.push({ stackName: to[0].stackName, old: from[0].template, next: to[0].template });
  } else {
    for (const next of to.filter(selected)) {
      pairs.push({ stackName: next.stackName, old: from.find((s) => s.stackName === next.stackName)?.template, next: next.template });
    }
    for (const old of from.filter(selected)) {
      if (!to.some((s) => s.stackName === old.stackName)) pairs.push({ stackName: old.stackName, old: old.template });
    }
  }
  const stacks = pairs.map(({ stackName, old, next }) => ({
    stackName,
    change: (!old ? 'new' : !next ? 'removed' : 'changed') as StackPlan['change'],
    resources: planTemplates(stackName, old ?? { Resources: {} }, next ?? { Resources: {} }),
  }));
  const counts = { create: 0, update: 0, replace: 0, refused: 0, delete: 0, unchanged: 0 };
  for (const r of stacks.flatMap((s) => s.resources)) counts[r.action]++;
  return { stacks, counts };
}

/** What deploying `next` over `old` does to each resource of the library in them. */
export function planTemplates(stackName: string, old: Template, next: Template): ResourcePlan[] {
  const oldResources = old.Resources ?? {};
  const newResources = next.Resources ?? {};
  const isLibrary = (r: TemplateResource | undefined) => r !== undefined && resourceNameOf(r.Type) !== undefined;
  /** Logical ids whose physical resource (and so every value read from it) is new after the deployment. */
  const renewed = new Map<string, string>();
  for (const [id, r] of Object.entries(newResources)) {
    if (!isLibrary(r) && oldResources[id]?.Type !== r.Type) renewed.set(id, `${id} is new`);
  }

  const plans = new Map<string, ResourcePlan>();
  const libraryIds = Object.keys(newResources).filter((id) => isLibrary(newResources[id]));
  const known = new Set(libraryIds);
  const dependencies = (id: string) => referencedIds(newResources[id]).filter((other) => known.has(other) && other !== id);
  for (const id of inDependencyOrder(libraryIds, dependencies)) {
    const plan = planResource(stackName, id, oldResources, newResources, renewed);
    plans.set(id, plan);
    if (plan.action === 'create' || plan.action === 'replace') renewed.set(id, `${id} is ${plan.action === 'create' ? 'new' : 'replaced'}`);
  }
  for (const [id, r] of Object.entries(oldResources)) {
    if (!isLibrary(r) || newResources[id]?.Type === r.Type) continue;
    plans.set(id, deletion(stackName, id, r, oldResources));
  }
  // Template order, deletions last.
  return [...plans.values()].sort((a, b) => Number(a.action === 'delete') - Number(b.action === 'delete'));
}

function planResource(stackName: string, id: string, oldResources: Record<string, TemplateResource>,
  newResources: Record<string, TemplateResource>, renewed: ReadonlyMap<string, string>): ResourcePlan {
  const definition = newResources[id];
  const resource = resourceNameOf(definition.Type)!;
  const { description } = RULES[resource];
  const base = { stackName, logicalId: id, path: constructPath(definition), resourceType: definition.Type, description };
  const previous = oldResources[id];
  if (!previous || previous.Type !== definition.Type) return { ...base, action: 'create', changed: [], notes: createNotes(resource) };

  const oldRaw = comparable(previous.Properties ?? {}, new Map()) as Record<string, unknown>;
  const newRaw = comparable(definition.Properties ?? {}, renewed) as Record<string, unknown>;
  const changed = changedProperties(oldRaw, newRaw);
  const operational = ['Tags', 'WaitTimeoutSeconds'].filter((key) => JSON.stringify(oldRaw[key]) !== JSON.stringify(newRaw[key]));
  const cascade = changed.flatMap((key) => renewedIn(definition.Properties?.[key], renewed).map((why) => `${key}: ${why}`));
  const oldProperties = decodeLeniently(resource, oldRaw);
  const properties = decodeLeniently(resource, newRaw);
  const label = base.path ?? id;
  const question = { context: { logicalResourceId: id }, physicalId: label, oldProperties, properties, changed } as const;
  const decision = RULES[resource].decide(question as never);
  const withCascade = cascade.length > 0 ? { cascade } : {};

  if ('refused' in decision) return { ...base, action: 'refused', changed, ...withCascade, reason: decision.refused };
  if (decision.replacedBy.length > 0) {
    const refusal = fixedNameRefusal(resource, description, id, oldProperties, properties, decision.replacedBy);
    if (refusal) return { ...base, action: 'refused', changed, ...withCascade, reason: refusal };
    const retained = definition.UpdateReplacePolicy === 'Retain';
    return {
      ...base,
      action: 'replace',
      changed,
      replacedBy: decision.replacedBy,
      ...withCascade,
      lost: lostWith(resource, id, oldResources),
      removalPolicy: retained ? 'retain' : 'destroy',
      notes: retained ? ['the old one is retained (UpdateReplacePolicy: Retain): it stays in the account, with its data, outside the stack'] : undefined,
    };
  }
  // In place. A dataset whose type cannot take another schema is checked as the handler checks it.
  if (resource === 'Dataset' && changed.includes('SchemaArn') && !schemaUpdatable(properties as { DatasetType: string })) {
    const refusal = schemaRefusal(label, previous, definition, oldResources, newResources, renewed);
    if (refusal) return { ...base, action: 'refused', changed, ...withCascade, reason: refusal };
  }
  const all = [...new Set([...changed, ...operational])].sort();
  if (all.length === 0) return { ...base, action: 'unchanged', changed: [] };
  return { ...base, action: 'update', changed: all, ...withCascade, notes: updateNotes(resource, changed) };
}

function deletion(stackName: string, id: string, definition: TemplateResource, oldResources: Record<string, TemplateResource>): ResourcePlan {
  const resource = resourceNameOf(definition.Type)!;
  const retained = definition.DeletionPolicy === 'Retain' || definition.DeletionPolicy === 'RetainExceptOnCreate';
  return {
    stackName,
    logicalId: id,
    path: constructPath(definition),
    resourceType: definition.Type,
    description: RULES[resource].description,
    action: 'delete',
    changed: [],
    removalPolicy: retained ? 'retain' : 'destroy',
    lost: retained ? [] : lostWith(resource, id, oldResources),
    notes: retained ? ['retained (DeletionPolicy: Retain): it stays in the account, with its data, no longer managed by the stack'] : undefined,
  };
}

/**
 * The handler's check of a new schema for a dataset whose type Personalize cannot give another
 * schema: accepted when the new schema holds the same document as the one in use.
 */
function schemaRefusal(label: string, previous: TemplateResource, definition: TemplateResource, oldResources: Record<string, TemplateResource>,
  newResources: Record<string, TemplateResource>, renewed: ReadonlyMap<string, string>): string | undefined {
  const schemaOf = (value: unknown, resources: Record<string, TemplateResource>) => {
    const target = referencedIds({ Properties: { value } })[0];
    const schema = target ? resources[target] : undefined;
    return schema && resourceNameOf(schema.Type) === 'Schema'
      ? { id: target, schema: stringOf(schema.Properties?.Schema), domain: stringOf(schema.Properties?.Domain) } : undefined;
  };
  const inUse = schemaOf(previous.Properties?.SchemaArn, oldResources);
  const asked = schemaOf(definition.Properties?.SchemaArn, newResources);
  if (inUse && asked && sameSchemaContent(inUse, asked)) return undefined;
  const inUseName = inUse ? `schema ${inUse.id}` : String(comparable(previous.Properties?.SchemaArn, new Map()));
  const askedName = asked ? `${renewed.has(asked.id) ? 'the new ' : ''}schema ${asked.id}` : String(comparable(definition.Properties?.SchemaArn, renewed));
  return schemaChangeRefusal(label, inUseName, askedName, String(definition.Properties?.DatasetType ?? ''));
}

/** The ids in an order where each comes after those it depends on (a cycle is broken in the given order). */
function inDependencyOrder(ids: readonly string[], dependsOn: (id: string) => string[]): string[] {
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.has(id)) return;
    state.set(id, 'visiting');
    dependsOn(id).forEach(visit);
    state.set(id, 'done');
    ordered.push(id);
  };
  ids.forEach(visit);
  return ordered;
}

// ---- what is lost ----

/** What a replaced or deleted resource takes with it, from what the old template says about it. */
function lostWith(resource: ResourceName, id: string, resources: Record<string, TemplateResource>): string[] {
  const pointingAt = (type: ResourceName, property: string) => Object.entries(resources)
    .filter(([, r]) => r.Type === RESOURCES[type].type && referencedIds({ Properties: { value: r.Properties?.[property] } }).includes(id));
  const name = (otherId: string, r: TemplateResource) => constructPath(r) ?? otherId;
  switch (resource) {
    case 'DatasetGroup': {
      const datasets = pointingAt('Dataset', 'DatasetGroupArn')
        .map(([otherId, r]) => `dataset ${name(otherId, r)} (${String(r.Properties?.DatasetType ?? '?')}) and the data imported into it`);
      const trackers = pointingAt('EventTracker', 'DatasetGroupArn')
        .map(([otherId, r]) => `event tracker ${name(otherId, r)} and its tracking id`);
      return [...datasets, ...trackers, 'everything else made in the group outside this stack (solutions, campaigns, recommenders, filters)'];
    }
    case 'Dataset': {
      const imports = pointingAt('DatasetImport', 'DatasetArn').map(([otherId, r]) => name(otherId, r));
      return [`the data imported into it${imports.length > 0 ? ` (by ${imports.join(', ')})` : ''}, and any records sent to it with PutEvents, PutItems or PutUsers`];
    }
    case 'EvaluationDataset':
      return ['its published versions (every DatasetVersion) and its id: evaluations that name it must use the new one'];
    case 'EventTracker':
      return ['its tracking id: senders of PutEvents must use the new one'];
    case 'Schema':
    case 'DatasetImport':
      return [];
  }
}

function createNotes(resource: ResourceName): string[] | undefined {
  return resource === 'EvaluationDataset' ? ['publishes version 1'] : undefined;
}

function updateNotes(resource: ResourceName, changed: readonly string[]): string[] | undefined {
  if (resource === 'EvaluationDataset' && changed.some((key) => ['InlineExamples', 'S3Uri'].includes(key))) {
    return ['same id; the examples change and a new version is published'];
  }
  if (resource === 'Dataset' && changed.includes('SchemaArn')) return ['same dataset and data; the new schema is applied with UpdateDataset'];
  return undefined;
}

// ---- values as the handler would compare them ----

const INTRINSIC = /^(Ref|Fn::.+|Condition)$/;

/**
 * A template value as the handler would see it: scalars as the strings CloudFormation sends, and
 * each intrinsic as a text that stays the same while what it reads keeps its value, and becomes
 * another (naming the resource) when it reads from a resource in `renewed`.
 */
export function comparable(value: unknown, renewed: ReadonlyMap<string, string>): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => comparable(v, renewed));
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && INTRINSIC.test(entries[0][0])) {
      const fresh = renewedIn(value, renewed);
      const text = `{${entries[0][0]}: ${JSON.stringify(comparable(entries[0][1], new Map()))}}`;
      return fresh.length > 0 ? `${text} (a new value: ${fresh.join(', ')})` : text;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, comparable(v, renewed)]));
  }
  return String(value);
}

/** Why a value reads something new: each resource in `renewed` it references. */
function renewedIn(value: unknown, renewed: ReadonlyMap<string, string>): string[] {
  return referencedIds({ Properties: { value } }).filter((id) => renewed.has(id)).map((id) => renewed.get(id)!);
}

function decodeLeniently(resource: ResourceName, raw: Record<string, unknown>): Record<string, any> {
  try {
    return decodeProperties(resource, raw) as Record<string, any>;
  } catch {
    return { ...raw };
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === undefined ? undefined : JSON.stringify(value);
}

/** The construct path of a resource, e.g. `Recommendations/Retail`, from its aws:cdk:path metadata. */
export function constructPath(definition: TemplateResource): string | undefined {
  const value = definition.Metadata?.['aws:cdk:path'];
  return typeof value === 'string' ? value.replace(/(\/Resource)?(\/Default)?$/, '') : undefined;
}

// ---- output ----

const ACTION_WORDS: Record<PlanAction, string> = {
  create: 'create',
  update: 'update',
  replace: 'REPLACE',
  refused: 'REFUSED',
  delete: 'DELETE',
  unchanged: 'unchanged',
};

/** The plan as a table for people: one block per stack, one row per resource, details indented under it. */
export function renderTable(plan: Plan, options: { showUnchanged?: boolean } = {}): string {
  const lines: string[] = [];
  for (const stack of plan.stacks) {
    const rows = stack.resources.filter((r) => options.showUnchanged || r.action !== 'unchanged');
    const unchanged = stack.resources.length - rows.length;
    const status = stack.change === 'new' ? ' (a new stack)' : stack.change === 'removed' ? ' (not in the new assembly: destroyed)' : '';
    lines.push(`Stack ${stack.stackName}${status}`);
    if (stack.resources.length === 0) lines.push('  no resources of cdk-datasets');
    const nameWidth = Math.max(8, ...rows.map((r) => (r.path ?? r.logicalId).length));
    const typeWidth = Math.max(4, ...rows.map((r) => r.description.length));
    if (rows.length > 0) lines.push(`  ${'ACTION'.padEnd(9)}  ${'RESOURCE'.padEnd(nameWidth)}  ${'TYPE'.padEnd(typeWidth)}  DETAILS`);
    for (const r of rows) {
      const details = detailLines(r);
      lines.push(`  ${ACTION_WORDS[r.action].padEnd(9)}  ${(r.path ?? r.logicalId).padEnd(nameWidth)}  ${r.description.padEnd(typeWidth)}  ${details[0] ?? ''}`.trimEnd());
      const indent = ' '.repeat(2 + 9 + 2 + nameWidth + 2 + typeWidth + 2);
      for (const more of details.slice(1)) lines.push(`${indent}${more}`);
    }
    if (unchanged > 0) lines.push(`  (${unchanged} unchanged)`);
    lines.push('');
  }
  const c = plan.counts;
  lines.push(`Plan: ${c.create} to create, ${c.update} to update in place, ${c.replace} to replace, ${c.refused} refused, ` +
    `${c.delete} to delete, ${c.unchanged} unchanged.`);
  if (c.refused > 0) lines.push('A refused change fails the deployment before anything is changed, and CloudFormation rolls the stack back.');
  return `${lines.join('\n')}\n`;
}

function detailLines(r: ResourcePlan): string[] {
  const lines: string[] = [];
  switch (r.action) {
    case 'create':
      lines.push('new');
      break;
    case 'update':
      lines.push(`in place: ${r.changed.join(', ')}`);
      break;
    case 'replace':
      lines.push(`replaced: ${r.replacedBy!.join(', ')} cannot change in place`);
      break;
    case 'refused':
      lines.push(...wrap(r.reason ?? ''));
      break;
    case 'delete':
      lines.push(`removal policy ${r.removalPolicy === 'retain' ? 'RETAIN: left in the account' : 'DESTROY: deleted'}`);
      break;
    case 'unchanged':
      lines.push('no change');
      break;
  }
  for (const why of r.cascade ?? []) lines.push(`because ${why}`);
  for (const lost of r.lost ?? []) lines.push(`loses ${lost}`);
  for (const note of r.notes ?? []) lines.push(note);
  return lines;
}

function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The resources whose action is one of `failOn`. */
export function failing(plan: Plan, failOn: readonly PlanAction[]): ResourcePlan[] {
  return plan.stacks.flatMap((s) => s.resources).filter((r) => failOn.includes(r.action));
}
