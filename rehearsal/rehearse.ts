/**
 * `npm run rehearse`: the example app (examples/app.ts) deployed against the emulator, updated to a
 * second version, and destroyed, with CloudFormation and the Provider framework played by the
 * rehearsal driver and the bundled handlers (assets/handlers/index.js and its chunks) doing the work.
 *
 *   npx ts-node -T --project test/tsconfig.json rehearsal/rehearse.ts [--scenarios] [--time-scale 0.02]
 *
 * It prints a line for each resource event (elapsed ms, operation, logical id, resource type,
 * request type, status), checks after every operation that the emulator holds what the driver
 * believes (no leak, no duplicate, nothing retained deleted), checks that each change of the second
 * version happened as it should (in place, or a replacement), that the destroy retained what the
 * removal policies retain (the example's resources are RETAIN: they must still be in the emulator),
 * and exits non-zero on any failure. `--scenarios` also runs the scenario suite of
 * test/rehearsal/scenarios.test.ts and prints its figures.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { allScenarios, firstLine, Rehearsal, rehearseExample, S3_OBJECTS, ScenarioStacks } from './scenarios';

interface Options {
  readonly scenarios: boolean;
  readonly timeScale?: number;
}

async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
  const problems: string[] = [];
  try {
    problems.push(...await rehearseExample({ workdir, timeScale: options.timeScale, log: (line) => console.log(line) }));
    if (options.scenarios) problems.push(...await runScenarios(workdir, options));
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
  console.log('');
  if (problems.length > 0) {
    console.log(`REHEARSAL FAILED (${problems.length} problem${problems.length > 1 ? 's' : ''}):`);
    problems.forEach((p) => console.log(`  - ${p}`));
    return 1;
  }
  console.log('Rehearsal passed.');
  return 0;
}

/** Runs the scenario suite; returns its failures. */
async function runScenarios(workdir: string, options: Options): Promise<string[]> {
  console.log('\n== scenarios');
  const stacks = ScenarioStacks.synth(path.join(workdir, 'scenarios'));
  const rehearsal = await Rehearsal.start({ s3: S3_OBJECTS, timeScale: options.timeScale });
  const problems: string[] = [];
  try {
    for (const scenario of allScenarios()) {
      const outcome = await rehearsal.run(scenario, stacks);
      const verdict = !outcome.error ? 'ok  ' : scenario.knownBug ? 'BUG ' : 'FAIL';
      console.log(`  ${verdict} ${String(outcome.durationMs).padStart(5)} ms  ${scenario.construct}: ${scenario.name}`);
      if (outcome.error && !scenario.knownBug) problems.push(`${scenario.construct}: ${scenario.name}: ${firstLine(outcome.error.message)}`);
    }
    console.log(rehearsal.summary().split('\n').map((l) => `  ${l}`).join('\n'));
  } finally {
    await rehearsal.close();
  }
  return problems;
}

function parseArgs(argv: string[]): Options {
  let scenarios = false;
  let timeScale: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--scenarios') scenarios = true;
    else if (argv[i] === '--time-scale') timeScale = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: rehearse.ts [--scenarios] [--time-scale 0.02])`);
  }
  if (timeScale !== undefined && !(timeScale > 0 && timeScale <= 1)) throw new Error('--time-scale must be in (0, 1]');
  return { scenarios, timeScale };
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
    console.error(error);
    process.exit(1);
  });
}
