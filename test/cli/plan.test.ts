/**
 * `cdk-datasets plan`: the decisions for each kind of change, on small templates written the way
 * the constructs synthesize them, and the command's output and exit codes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../cli/main';
import { Plan, planStacks, planTemplates, ResourcePlan } from '../../cli/plan';
import type { Template, TemplateResource } from '../../rehearsal/driver';

const TOKEN = { 'Fn::GetAtt': ['ProviderFramework', 'Arn'] };
const ITEMS_SCHEMA = JSON.stringify({ type: 'record', name: 'Items', fields: [{ name: 'ITEM_ID', type: 'string' }] });
const ITEMS_SCHEMA_V2 = JSON.stringify({
  type: 'record', name: 'Items', fields: [{ name: 'ITEM_ID', type: 'string' }, { name: 'PRICE', type: ['null', 'float'] }],
});
const EVENTS_SCHEMA = JSON.stringify({ type: 'record', name: 'Interactions', fields: [{ name: 'USER_ID', type: 'string' }] });

function custom(type: string, properties: Record<string, unknown>, extra: Partial<TemplateResource> = {}): TemplateResource {
  return { Type: `Custom::${type}`, Properties: { ServiceToken: TOKEN, ...properties }, DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete', ...extra };
}

/** A group with an Items dataset and an Interactions dataset, each on its schema. */
interface RetailOptions {
  readonly domain?: string;
  readonly groupName?: string;
  readonly itemsSchema?: string;
  readonly eventsSchema?: string;
  readonly tags?: string;
  readonly datasetName?: string;
}

function retail(options: RetailOptions = {}): Template {
  return {
    Resources: {
      ProviderFramework: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'framework.onEvent' } },
      Group: custom('PersonalizeDatasetGroup', {
        ...(options.groupName ? { Name: options.groupName } : {}),
        ...(options.domain ? { Domain: options.domain } : {}),
        ...(options.tags ? { Tags: [{ Key: 'team', Value: options.tags }] } : {}),
      }, { Metadata: { 'aws:cdk:path': 'Shop/Group/Resource/Default' } }),
      ItemsSchema: custom('PersonalizeSchema', { Schema: options.itemsSchema ?? ITEMS_SCHEMA }),
      EventsSchema: custom('PersonalizeSchema', { Schema: options.eventsSchema ?? EVENTS_SCHEMA }),
      Items: custom('PersonalizeDataset', {
        DatasetGroupArn: { 'Fn::GetAtt': ['Group', 'DatasetGroupArn'] },
        DatasetType: 'Items',
        SchemaArn: { 'Fn::GetAtt': ['ItemsSchema', 'SchemaArn'] },
        ...(options.datasetName ? { Name: options.datasetName } : {}),
      }, { Metadata: { 'aws:cdk:path': 'Shop/Group/Items/Resource/Default' } }),
      Events: custom('PersonalizeDataset', {
        DatasetGroupArn: { 'Fn::GetAtt': ['Group', 'DatasetGroupArn'] },
        DatasetType: 'Interactions',
        SchemaArn: { 'Fn::GetAtt': ['EventsSchema', 'SchemaArn'] },
      }),
      Import: custom('PersonalizeDatasetImport', {
        DatasetArn: { Ref: 'Events' }, DataLocation: 's3://data/events.csv', RoleArn: 'arn:aws:iam::123456789012:role/import',
      }),
    },
  };
}

function byId(plans: ResourcePlan[]): Record<string, ResourcePlan> {
  return Object.fromEntries(plans.map((p) => [p.logicalId, p]));
}

test('a new domain replaces the group, and with it its datasets and their imports (a cascade); what is lost is listed', () => {
  const plans = byId(planTemplates('Shop', retail(), retail({ domain: 'ECOMMERCE' })));
  expect(plans.Group).toMatchObject({ action: 'replace', replacedBy: ['Domain'], path: 'Shop/Group', removalPolicy: 'destroy' });
  expect(plans.Group.lost).toEqual(expect.arrayContaining([
    'dataset Shop/Group/Items (Items) and the data imported into it',
    'dataset Events (Interactions) and the data imported into it',
  ]));
  expect(plans.Items).toMatchObject({ action: 'replace', replacedBy: ['DatasetGroupArn'], cascade: ['DatasetGroupArn: Group is replaced'] });
  expect(plans.Events.lost).toEqual([expect.stringContaining('the data imported into it (by Import)')]);
  expect(plans.Import).toMatchObject({ action: 'replace', replacedBy: ['DatasetArn'], lost: [] });
  expect(plans.ItemsSchema.action).toBe('unchanged');
});

test('tags change in place; operational properties alone change nothing the handler acts on', () => {
  const plans = byId(planTemplates('Shop', retail({ tags: 'a' }), retail({ tags: 'b' })));
  expect(plans.Group).toMatchObject({ action: 'update', changed: ['Tags'] });
  expect(plans.Items.action).toBe('unchanged');
  const old = retail();
  const next = retail();
  (next.Resources.Group.Properties as Record<string, unknown>).ServiceToken = { 'Fn::GetAtt': ['ProviderFramework', 'Arn'] };
  (next.Resources.Group.Properties as Record<string, unknown>).WaitTimeoutSeconds = 600;
  expect(byId(planTemplates('Shop', old, next)).Group).toMatchObject({ action: 'update', changed: ['WaitTimeoutSeconds'] });
});

test('a new schema for an Items dataset: the schema is replaced, the dataset takes it in place', () => {
  const plans = byId(planTemplates('Shop', retail(), retail({ itemsSchema: ITEMS_SCHEMA_V2 })));
  expect(plans.ItemsSchema).toMatchObject({ action: 'replace', replacedBy: ['Schema'], lost: [] });
  expect(plans.Items).toMatchObject({ action: 'update', changed: ['SchemaArn'], cascade: ['SchemaArn: ItemsSchema is replaced'] });
});

test('an Interactions dataset refuses another schema, as its handler does, unless the new schema holds the same document', () => {
  const changed = byId(planTemplates('Shop', retail(), retail({ eventsSchema: ITEMS_SCHEMA_V2 })));
  expect(changed.Events.action).toBe('refused');
  expect(changed.Events.reason).toMatch(/^Cannot change the schema of Personalize dataset Events from schema EventsSchema to the new schema EventsSchema: .*not of Interactions datasets/);
  // The same document in other spacing: a new schema resource, which the dataset accepts as it is.
  const respaced = byId(planTemplates('Shop', retail(), retail({ eventsSchema: JSON.stringify(JSON.parse(EVENTS_SCHEMA), undefined, 2) })));
  expect(respaced.EventsSchema.action).toBe('replace');
  expect(respaced.Events).toMatchObject({ action: 'update', changed: ['SchemaArn'] });
});

test('a fixed name that a replacement would need twice is refused, with the handler\'s message; a cascade can refuse too', () => {
  const group = byId(planTemplates('Shop', retail({ groupName: 'shop' }), retail({ groupName: 'shop', domain: 'ECOMMERCE' })));
  expect(group.Group.action).toBe('refused');
  expect(group.Group.reason).toMatch(/^Cannot change Domain of Personalize dataset group "shop" \(Group\): .* Nothing was changed\./);
  const cascade = byId(planTemplates('Shop', retail({ datasetName: 'items' }), retail({ datasetName: 'items', domain: 'ECOMMERCE' })));
  expect(cascade.Group.action).toBe('replace');
  expect(cascade.Items).toMatchObject({ action: 'refused', cascade: ['DatasetGroupArn: Group is replaced'] });
  // A new name in the same deployment is a replacement.
  expect(byId(planTemplates('Shop', retail({ groupName: 'shop' }), retail({ groupName: 'shop2', domain: 'ECOMMERCE' }))).Group.action).toBe('replace');
});

test('a dataset renamed in its group is refused (a group holds one dataset of each type); another type is a replacement', () => {
  const plans = byId(planTemplates('Shop', retail(), retail({ datasetName: 'catalogue' })));
  expect(plans.Items.action).toBe('refused');
  expect(plans.Items.reason).toMatch(/^Cannot change Name of Personalize dataset Shop\/Group\/Items \(Items\): .*a group holds one dataset of each type/);
  const next = retail();
  (next.Resources.Items.Properties as Record<string, unknown>).DatasetType = 'Users';
  expect(byId(planTemplates('Shop', retail(), next)).Items).toMatchObject({ action: 'replace', replacedBy: ['DatasetType'] });
});

test('evaluation datasets: examples and description in place with a new version; a schema type replaces; a case-only rename is refused', () => {
  const evaluation = (properties: Record<string, unknown>): Template => ({
    Resources: { Evals: custom('AgentCoreEvaluationDataset', { SchemaType: 'AGENTCORE_EVALUATION_PREDEFINED_V1', InlineExamples: '[{"a":1}]', ...properties }) },
  });
  const inPlace = byId(planTemplates('Agents', evaluation({}), evaluation({ InlineExamples: '[{"a":2}]', Description: 'v2' })));
  expect(inPlace.Evals).toMatchObject({ action: 'update', changed: ['Description', 'InlineExamples'] });
  expect(inPlace.Evals.notes).toEqual([expect.stringContaining('a new version is published')]);
  const replaced = byId(planTemplates('Agents', evaluation({}), evaluation({ SchemaType: 'THIRD_PARTY_EVALUATION_V1' })));
  expect(replaced.Evals).toMatchObject({ action: 'replace', replacedBy: ['SchemaType'] });
  expect(replaced.Evals.lost).toEqual([expect.stringContaining('published versions')]);
  const renamed = byId(planTemplates('Agents', evaluation({ DatasetName: 'checkout' }), evaluation({ DatasetName: 'Checkout' })));
  expect(renamed.Evals.reason).toMatch(/^Cannot rename AgentCore evaluation dataset "checkout" to "Checkout"/);
});

test('removed resources are deleted or retained by their removal policy; new ones are created', () => {
  const old = retail();
  const next = retail();
  delete (next.Resources as Record<string, TemplateResource>).Import;
  delete (next.Resources as Record<string, TemplateResource>).Events;
  (old.Resources as Record<string, TemplateResource>).Events = { ...old.Resources.Events, DeletionPolicy: 'Retain' };
  (next.Resources as Record<string, TemplateResource>).Tracker = custom('PersonalizeEventTracker', { DatasetGroupArn: { Ref: 'Group' } });
  const plans = byId(planTemplates('Shop', old, next));
  expect(plans.Tracker.action).toBe('create');
  expect(plans.Events).toMatchObject({ action: 'delete', removalPolicy: 'retain', lost: [] });
  expect(plans.Import).toMatchObject({ action: 'delete', removalPolicy: 'destroy' });
});

test('stacks pair by name; a template file pairs with a one-stack assembly', () => {
  const stack = (stackName: string, template: Template) => ({ stackName, artifactId: stackName, template, directory: '.' });
  const plan = planStacks([stack('Shop', retail()), stack('Gone', retail())], [stack('Shop', retail({ domain: 'ECOMMERCE' })), stack('New', retail())]);
  expect(plan.stacks.map((s) => [s.stackName, s.change])).toEqual([['Shop', 'changed'], ['New', 'new'], ['Gone', 'removed']]);
  expect(plan.counts).toMatchObject({ replace: 4, create: 6, delete: 6, unchanged: 2 });
  const single = planStacks([stack('template', retail())], [stack('Shop', retail({ tags: 'x' }))]);
  expect(single.stacks[0].resources.find((r) => r.logicalId === 'Group')?.action).toBe('update');
});

describe('the command', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-datasets-plan-'));
    fs.writeFileSync(path.join(dir, 'Shop.template.json'), JSON.stringify(retail()));
    fs.mkdirSync(path.join(dir, 'new.out'));
    fs.writeFileSync(path.join(dir, 'new.out', 'Shop.template.json'), JSON.stringify(retail({ domain: 'ECOMMERCE', itemsSchema: ITEMS_SCHEMA_V2 })));
    fs.writeFileSync(path.join(dir, 'new.out', 'manifest.json'), JSON.stringify({
      version: '48.0.0',
      artifacts: { Shop: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Shop.template.json' } } },
    }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
    return { code, out, err };
  }

  test('a table for people; --fail-on replace exits 1 naming what it refuses', async () => {
    const table = await run('plan', '--from', path.join(dir, 'Shop.template.json'), '--to', path.join(dir, 'new.out'));
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^Stack Shop\n/);
    expect(table.out).toMatch(/REPLACE +Shop\/Group +Personalize dataset group +replaced: Domain cannot change in place/);
    expect(table.out).toMatch(/loses dataset Shop\/Group\/Items \(Items\) and the data imported into it/);
    expect(table.out).toMatch(/Plan: 0 to create, 0 to update in place, 5 to replace, 0 refused, 0 to delete, 1 unchanged\./);
    const gated = await run('plan', '--from', path.join(dir, 'Shop.template.json'), '--to', path.join(dir, 'new.out'), '--fail-on', 'replace');
    expect(gated.code).toBe(1);
    expect(gated.err).toMatch(/5 changes that --fail-on replace refuses: replace Shop\/Group/);
    expect((await run('plan', '--from', path.join(dir, 'Shop.template.json'), '--to', path.join(dir, 'new.out'), '--fail-on', 'refused,delete')).code).toBe(0);
  });

  test('--json for machines', async () => {
    const { code, out } = await run('plan', '--from', path.join(dir, 'Shop.template.json'), '--to', path.join(dir, 'new.out'), '--json');
    expect(code).toBe(0);
    const plan: Plan = JSON.parse(out);
    expect(plan.counts.replace).toBe(5);
    expect(plan.stacks[0].resources.find((r) => r.logicalId === 'Group')).toMatchObject({ action: 'replace', replacedBy: ['Domain'] });
  });

  test('mistakes are exit code 2 with a message that says what to do', async () => {
    expect(await run('plan', '--to', dir)).toMatchObject({ code: 2, err: expect.stringMatching(/--from is required/) });
    expect(await run('plan', '--from', dir)).toMatchObject({ code: 2, err: expect.stringMatching(/is not a cloud assembly \(it has no manifest.json\): run `cdk synth/) });
    expect(await run('plan', '--from', dir, '--fail-on', 'create')).toMatchObject({ code: 2, err: expect.stringMatching(/--fail-on takes replace, refused, delete, not create/) });
    expect(await run('deploy')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command deploy/) });
  });
});
