/**
 * `cdk-datasets plan` says what the handlers will do: every update of the scenario suite
 * (rehearsal/scenarios) is planned from the two templates, then rehearsed against the emulator
 * through the real handler bundles, and what each library resource went through in the rehearsal
 * (created, updated in place, replaced, refused, deleted, or left alone) must be what the plan said.
 */
import { PlanAction, planTemplates } from '../../cli/plan';
import type { Driver } from '../../rehearsal/driver';
import { expectStatus, Rehearsal, ScenarioStacks, StackUpdate, updateScenarioStacks } from '../../rehearsal/scenarios';
import { resourceNameOf } from '../../src/contract';
import { useRehearsal } from '../support/rehearsal';

let stacks: ScenarioStacks;
let rehearsal: Rehearsal;

useRehearsal('plan-agreement-', 120_000, (started) => ({ stacks, rehearsal } = started));

const updates = updateScenarioStacks();

test('the scenario suite has updates of every kind to check', () => {
  expect(updates.length).toBeGreaterThanOrEqual(12);
});

test.each(updates.map((u) => [`${u.construct}: ${u.from} -> ${u.to}`, u] as const))('%s: the plan is what the rehearsal does', async (_name, update) => {
  const planned = Object.fromEntries(planTemplates(update.to, stacks.stack(update.from).template, stacks.stack(update.to).template)
    .map((r) => [r.logicalId, r.action]));
  let observed: Record<string, PlanAction | string> = {};
  let updateFailed = false;
  const outcome = await rehearsal.run({
    name: `plan agrees: ${update.from} -> ${update.to}`,
    construct: update.construct,
    async run(ctx) {
      const driver = ctx.driver();
      expectStatus(await driver.deploy(ctx.stack(update.from)), 'CREATE_COMPLETE');
      const before = driver.physicalIds();
      const result = await driver.update(ctx.stack(update.to));
      updateFailed = !result.ok;
      observed = observedActions(driver, before, update);
      expectStatus(await driver.destroy(), 'DELETE_COMPLETE');
    },
  }, stacks);
  expect(outcome.error?.message).toBeUndefined();
  if (updateFailed) {
    // CloudFormation stops at the refusal and rolls back: compare what it reached.
    const reached = Object.keys(observed).filter((id) => observed[id] !== 'unchanged');
    expect(Object.fromEntries(reached.map((id) => [id, planned[id]]))).toEqual(Object.fromEntries(reached.map((id) => [id, observed[id]])));
    expect(Object.values(observed)).toContain('refused');
  } else {
    expect(planned).toEqual(observed);
    expect(Object.values(planned)).not.toContain('refused');
  }
});

/** What each library resource went through in the update: its first request, and how it ended. */
function observedActions(driver: Driver, before: Record<string, string>, update: StackUpdate): Record<string, string> {
  const ids = new Set([
    ...Object.entries(stacks.stack(update.from).template.Resources),
    ...Object.entries(stacks.stack(update.to).template.Resources),
  ].filter(([, r]) => resourceNameOf((r as { Type: string }).Type)).map(([id]) => id));
  const actions: Record<string, string> = {};
  for (const id of ids) {
    const first = driver.record.requests.find((r) => r.operation === 'update' && r.request.LogicalResourceId === id);
    if (!first) actions[id] = 'unchanged';
    else if (first.request.RequestType === 'Create') actions[id] = 'create';
    else if (first.request.RequestType === 'Delete') actions[id] = 'delete';
    else if (first.status === 'FAILED') actions[id] = /Nothing was changed/.test(first.reason ?? '') ? 'refused' : `failed: ${first.reason}`;
    else actions[id] = first.physicalId === before[id] ? 'update' : 'replace';
  }
  return actions;
}
