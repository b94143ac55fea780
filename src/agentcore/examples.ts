/**
 * Synth-time checks of evaluation dataset examples against their schema type's required fields
 * (AgentCore developer guide, "Dataset schema" and "Getting started": predefined examples need
 * `scenario_id` and `turns`, a non-empty list in which each turn has an `input`; simulated
 * examples need `scenario_id`, `actor_profile` with `context` and `goal`, and `input`; third-party
 * examples need `input`, a string or a list of messages). Only what is required is checked, so
 * that optional and future fields pass; the service checks the rest. Token-valued strings pass.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';

/**
 * Inline examples go into the template as one property. The Provider framework carries the
 * request, with the old and the new properties, through a Step Functions waiter whose state input
 * is limited to 256 KiB (and a template to 1 MB): past this many bytes of JSON, use a JSONL asset.
 */
export const MAX_INLINE_EXAMPLES_BYTES = 32 * 1024;

/** Past this many problems, the rest are counted rather than listed. */
const MAX_REPORTED = 20;

type Json = Record<string, unknown>;

/** What one schema type requires of an example: a message per problem, `<field> is <value>; <rule>`. */
type Rules = (example: Json, schemaType: string) => string[];

const RULES: Record<string, Rules> = {
  AGENTCORE_EVALUATION_PREDEFINED_V1: (example, schemaType) => {
    const problems = nonEmptyString(example, 'scenario_id', schemaType);
    const turns = example.turns;
    if (!Array.isArray(turns) || turns.length === 0) {
      problems.push(problem('turns', turns, schemaType, 'turns, a non-empty list of turns'));
      return problems;
    }
    turns.forEach((turn, i) => {
      if (!isObject(turn)) problems.push(problem(`turns[${i}]`, turn, schemaType, 'every turn to be an object with an input'));
      else problems.push(...present(turn, 'input', schemaType, `turns[${i}].`, 'an input in every turn'));
    });
    return problems;
  },
  AGENTCORE_EVALUATION_SIMULATED_V1: (example, schemaType) => {
    const problems = nonEmptyString(example, 'scenario_id', schemaType);
    const profile = example.actor_profile;
    if (!isObject(profile)) {
      problems.push(problem('actor_profile', profile, schemaType, 'actor_profile, an object with a context and a goal'));
    } else {
      const rule = 'actor_profile with a context and a goal';
      problems.push(...present(profile, 'context', schemaType, 'actor_profile.', rule), ...present(profile, 'goal', schemaType, 'actor_profile.', rule));
    }
    problems.push(...present(example, 'input', schemaType));
    return problems;
  },
  THIRD_PARTY_EVALUATION_V1: (example, schemaType) => {
    const input = example.input;
    const valid = (typeof input === 'string' && input.length > 0)
      || (Array.isArray(input) && input.length > 0 && input.every(isObject));
    return valid ? [] : [problem('input', input, schemaType, 'input, a non-empty string (one turn) or a non-empty list of message objects')];
  },
};

/** The problems of one example, without its location. Unknown schema types only need an object. */
export function checkExample(schemaType: string, example: unknown): string[] {
  if (!isObject(example)) return [`is ${show(example)}; every example must be a JSON object`];
  return RULES[schemaType]?.(example, schemaType) ?? [];
}

/** Checks inline examples: their number, their size in the template, and each one's fields. */
export function validateInlineExamples(schemaType: string, examples: unknown[]): string[] {
  if (examples.length === 0) return ['source: fromInline was given no examples; a dataset needs at least one'];
  const errors: string[] = [];
  const bytes = Buffer.byteLength(JSON.stringify(examples));
  if (bytes > MAX_INLINE_EXAMPLES_BYTES) {
    errors.push(`source: the inline examples are ${bytes} bytes of JSON; at most ${MAX_INLINE_EXAMPLES_BYTES} go into the template ` +
      '(the custom resource request, with its old and new properties, must fit the Provider framework\'s 256 KiB state). ' +
      'Write them to a JSONL file, one example per line, and use EvaluationDatasetSource.fromAsset(path)');
  }
  const problems = examples.flatMap((example, i) => checkExample(schemaType, example).map((p) => `source examples[${i}]: ${p}`));
  return [...errors, ...capped(problems)];
}

/**
 * Checks a local JSONL file: one JSON object per line (blank lines are skipped), each with its
 * schema type's required fields, and at least one example.
 */
export function validateJsonlFile(schemaType: string, file: string): string[] {
  const name = path.basename(file);
  const problems: string[] = [];
  let examples = 0;
  fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    examples++;
    const where = `source ${name} line ${i + 1}`;
    let example: unknown;
    try {
      example = JSON.parse(line);
    } catch (error) {
      problems.push(`${where}: is not valid JSON (${(error as Error).message}); every line must be one JSON object`);
      return;
    }
    problems.push(...checkExample(schemaType, example).map((p) => `${where}: ${p}`));
  });
  if (examples === 0) return [`source ${name}: has no examples; a dataset needs at least one line with a JSON object`];
  return capped(problems);
}

function nonEmptyString(example: Json, field: string, schemaType: string): string[] {
  const value = example[field];
  return typeof value === 'string' && value.length > 0 ? [] : [problem(field, value, schemaType, `${field}, a non-empty string`)];
}

function present(object: Json, field: string, schemaType: string, prefix = '', rule = `${prefix}${field}`): string[] {
  const value = object[field];
  return value === undefined || value === null || value === '' ? [problem(`${prefix}${field}`, value, schemaType, rule)] : [];
}

function problem(field: string, value: unknown, schemaType: string, rule: string): string {
  return `${field} is ${show(value)}; ${schemaType} requires ${rule}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string' && Token.isUnresolved(value)) return 'a token';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function capped(problems: string[]): string[] {
  return problems.length > MAX_REPORTED
    ? [...problems.slice(0, MAX_REPORTED), `... and ${problems.length - MAX_REPORTED} more problems with the examples`]
    : problems;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
