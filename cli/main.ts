/**
 * The `cdk-datasets` command: `plan` and `rehearse` (see README "Before you deploy").
 *
 *   cdk-datasets plan --from <old cdk.out | template.json> [--to <new cdk.out>] [--stack NAME] [--json]
 *                     [--fail-on replace|refused|delete] [--all]
 *   cdk-datasets rehearse [--app cdk.out] [--stack NAME] [--update-to other.out] [--seed seed.json]
 *
 * Exit codes: 0 done (and, for plan, nothing that --fail-on names); 1 a plan with what --fail-on
 * names, or a rehearsal that found a problem; 2 a mistake in the command line or its inputs.
 */
import { UsageError, readStacks } from './assembly';
import { failing, FAILING_ACTIONS, PlanAction, planStacks, renderTable } from './plan';
import { rehearse } from './rehearse';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const USAGE = `Usage:
  cdk-datasets plan --from <old cdk.out | template.json> [--to <new cdk.out>] [--stack NAME] [--json]
                    [--fail-on replace|refused|delete] [--all]
      What deploying the new assembly does to each dataset group, schema, dataset, import, event
      tracker and evaluation dataset: create, update in place, replace (and what is lost), refused,
      or delete. --to defaults to cdk.out. --fail-on (repeatable, or comma-separated) exits 1 when
      the plan has such a change. --all lists unchanged resources too.

  cdk-datasets rehearse [--app cdk.out] [--stack NAME] [--update-to other.out] [--seed seed.json]
      Deploys the assembly against a local emulator with the library's real handlers, updates it to
      --update-to if given, and destroys it; exits 1 on a leak, a duplicate, a wrong delete, a
      denied call or a failed operation. Writes nothing into the assemblies.
`;

/** Runs the command; resolves to its exit code. */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'plan':
        return plan(rest, io);
      case 'rehearse':
        return await rehearseCommand(rest, io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}: the commands are plan and rehearse`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cdk-datasets ${command ?? ''}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function plan(argv: readonly string[], io: Io): number {
  const args = parse(argv, { values: ['--from', '--to', '--stack', '--fail-on'], flags: ['--json', '--all'] });
  const from = args.values['--from']?.[0];
  if (!from) throw new UsageError('--from is required: the assembly or template deployed now (e.g. cdk synth -o old.out on the main branch)');
  const to = args.values['--to']?.[0] ?? 'cdk.out';
  const failOn = (args.values['--fail-on'] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const unknown = failOn.filter((v) => !FAILING_ACTIONS.includes(v as PlanAction));
  if (unknown.length > 0) throw new UsageError(`--fail-on takes ${FAILING_ACTIONS.join(', ')}, not ${unknown.join(', ')}`);
  const result = planStacks(readStacks(from), readStacks(to), args.values['--stack']?.[0]);
  io.out(args.flags.has('--json') ? `${JSON.stringify(result, undefined, 2)}\n` : renderTable(result, { showUnchanged: args.flags.has('--all') }));
  const blocking = failing(result, failOn as PlanAction[]);
  if (blocking.length === 0) return 0;
  io.err(`cdk-datasets plan: ${blocking.length} change${blocking.length > 1 ? 's' : ''} that --fail-on ${failOn.join(',')} refuses: ` +
    `${blocking.map((r) => `${r.action} ${r.path ?? `${r.stackName}/${r.logicalId}`}`).join(', ')}\n`);
  return 1;
}

async function rehearseCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parse(argv, { values: ['--app', '--stack', '--update-to', '--seed'], flags: [] });
  const result = await rehearse({
    app: args.values['--app']?.[0] ?? 'cdk.out',
    stacks: args.values['--stack'],
    updateTo: args.values['--update-to']?.[0],
    seed: args.values['--seed']?.[0],
    log: (line) => io.out(`${line}\n`),
  });
  if (result.problems.length === 0) {
    io.out('\nRehearsal passed.\n');
    return 0;
  }
  io.out(`\nREHEARSAL FAILED (${result.problems.length} problem${result.problems.length > 1 ? 's' : ''}):\n`);
  result.problems.forEach((p) => io.out(`  - ${p}\n`));
  return 1;
}

interface Parsed {
  readonly values: Record<string, string[]>;
  readonly flags: Set<string>;
}

function parse(argv: readonly string[], spec: { values: string[]; flags: string[] }): Parsed {
  const values: Record<string, string[]> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    if (spec.flags.includes(name)) {
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      (values[name] ??= []).push(value);
    } else {
      throw new UsageError(`unknown argument ${argv[i]} (the options are ${[...spec.values, ...spec.flags].join(', ')})`);
    }
  }
  return { values, flags };
}

function defaultIo(): Io {
  return { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
}

