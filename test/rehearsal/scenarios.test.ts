/**
 * The scenario suite: every construct's lifecycle, and each fault the emulator can inject, driven
 * through CloudFormation and the Provider framework (the rehearsal driver) against the emulator,
 * running the bundled handlers. After each scenario the checker compares the emulator with what the
 * driver believes: no leak, no duplicate, nothing retained deleted. The figures are printed at the end.
 *
 * One construct's scenarios alone (each construct is a describe block): `npx jest
 * test/rehearsal/scenarios.test.ts -w 1 -t '^EventTracker '`; the stacks are still all synthesized.
 */
import * as path from 'path';
import { allScenarios, Rehearsal, rehearseExample, ScenarioStacks } from '../../rehearsal/scenarios';
import { useRehearsal } from '../support/rehearsal';

// Above the harness's own per-scenario deadline (20 s), which stops a scenario that runs late.
jest.setTimeout(30_000);
const FAILED_LOG_LINES = 40;

const scenarios = allScenarios();
let outdir: string;
let stacks: ScenarioStacks;
let rehearsal: Rehearsal;

useRehearsal('scenarios-', 60_000, (started) => ({ dir: outdir, stacks, rehearsal } = started),
  (closing) => console.log(`Rehearsal scenarios\n${closing.summary()}`));

for (const construct of [...new Set(scenarios.map((s) => s.construct))]) {
  describe(construct, () => {
    for (const scenario of scenarios.filter((s) => s.construct === construct)) {
      // A scenario that shows a known bug is expected to fail until the bug is fixed (see its knownBug).
      const run = scenario.knownBug ? test.failing : test;
      run(scenario.name, async () => {
        const outcome = await rehearsal.run(scenario, stacks);
        if (outcome.error) {
          // The handlers' last lines say what they were doing when the scenario went wrong.
          outcome.error.message += `\n  handler log (last ${FAILED_LOG_LINES} lines):\n    ${outcome.handlerLog.slice(-FAILED_LOG_LINES).join('\n    ')}`;
          throw outcome.error;
        }
      });
    }
  });
}

test('npm run rehearse: the example app deploys, updates to its second version and destroys, retaining what it should', async () => {
  const lines: string[] = [];
  const problems = await rehearseExample({ workdir: path.join(outdir, 'example'), log: (line) => lines.push(line) });
  expect(problems).toEqual([]);
  expect(lines.some((l) => /deploy .* Custom::PersonalizeDatasetGroup .* CREATE_COMPLETE/.test(l))).toBe(true);
  expect(lines.some((l) => /destroy .* DELETE_SKIPPED/.test(l))).toBe(true);
  expect(lines.some((l) => /IAM: [1-9]\d* handler calls authorized against their role's policies, 0 denied/.test(l))).toBe(true);
}, 60_000);

test('the checker found no leak, duplicate, wrongly deleted or missing resource in any scenario', () => {
  const { leaks, duplicates, wronglyDeleted, missing, scenarios: run } = rehearsal.figures;
  expect(run).toBe(scenarios.length);
  expect({ leaks, duplicates, wronglyDeleted, missing }).toEqual({ leaks: 0, duplicates: 0, wronglyDeleted: 0, missing: 0 });
});
