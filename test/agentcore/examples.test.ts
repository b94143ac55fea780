import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Lazy } from 'aws-cdk-lib';
import { checkExample, MAX_INLINE_EXAMPLES_BYTES, validateInlineExamples, validateJsonlFile } from '../../src/agentcore/examples';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'agentcore');
const PREDEFINED = 'AGENTCORE_EVALUATION_PREDEFINED_V1';
const SIMULATED = 'AGENTCORE_EVALUATION_SIMULATED_V1';
const THIRD_PARTY = 'THIRD_PARTY_EVALUATION_V1';

describe('checkExample', () => {
  test.each([
    [PREDEFINED, { scenario_id: 's1', turns: [{ input: 'hi' }] }],
    [PREDEFINED, { scenario_id: 's1', turns: [{ input: { text: 'hi' } }, { input: 'next', expected_response: 'ok' }], assertions: ['a'] }],
    [SIMULATED, { scenario_id: 's1', input: 'hi', actor_profile: { context: 'c', goal: 'g' } }],
    [THIRD_PARTY, { input: 'hi' }],
    [THIRD_PARTY, { input: [{ role: 'user', content: 'hi' }] }],
    ['FUTURE_SCHEMA_V9', { anything: true }],
  ])('%s accepts %j', (schemaType, example) => {
    expect(checkExample(schemaType, example)).toEqual([]);
  });

  test('predefined: scenario_id, turns and each turn\'s input, with the value found', () => {
    expect(checkExample(PREDEFINED, { turns: [{ input: 'hi' }] }))
      .toEqual([`scenario_id is missing; ${PREDEFINED} requires scenario_id, a non-empty string`]);
    expect(checkExample(PREDEFINED, { scenario_id: 7, turns: [] })).toEqual([
      `scenario_id is 7; ${PREDEFINED} requires scenario_id, a non-empty string`,
      `turns is []; ${PREDEFINED} requires turns, a non-empty list of turns`,
    ]);
    expect(checkExample(PREDEFINED, { scenario_id: 's', turns: [{ input: 'a' }, { expected_response: 'b' }, 'c'] })).toEqual([
      `turns[1].input is missing; ${PREDEFINED} requires an input in every turn`,
      `turns[2] is "c"; ${PREDEFINED} requires every turn to be an object with an input`,
    ]);
  });

  test('simulated: scenario_id, actor_profile with context and goal, and input', () => {
    expect(checkExample(SIMULATED, { scenario_id: 's', actor_profile: { context: 'c' } })).toEqual([
      `actor_profile.goal is missing; ${SIMULATED} requires actor_profile with a context and a goal`,
      `input is missing; ${SIMULATED} requires input`,
    ]);
    expect(checkExample(SIMULATED, { scenario_id: 's', input: 'hi', actor_profile: 'angry' }))
      .toEqual([`actor_profile is "angry"; ${SIMULATED} requires actor_profile, an object with a context and a goal`]);
  });

  test('third-party: input is a string or a list of messages', () => {
    const rule = `${THIRD_PARTY} requires input, a non-empty string (one turn) or a non-empty list of message objects`;
    expect(checkExample(THIRD_PARTY, {})).toEqual([`input is missing; ${rule}`]);
    expect(checkExample(THIRD_PARTY, { input: '' })).toEqual([`input is ""; ${rule}`]);
    expect(checkExample(THIRD_PARTY, { input: ['hi'] })).toEqual([`input is ["hi"]; ${rule}`]);
  });

  test('every schema type, known or not, needs a JSON object', () => {
    expect(checkExample('FUTURE_SCHEMA_V9', ['a'])).toEqual(['is ["a"]; every example must be a JSON object']);
  });

  test('strings that are tokens pass', () => {
    const token = Lazy.string({ produce: () => 'resolved later' });
    expect(checkExample(PREDEFINED, { scenario_id: token, turns: [{ input: token }] })).toEqual([]);
  });

  test('long values are shortened in messages', () => {
    const [message] = checkExample(THIRD_PARTY, { input: ['x'.repeat(200)] });
    expect(message.length).toBeLessThan(200);
    expect(message).toContain('...');
  });
});

describe('validateInlineExamples', () => {
  test('names the example index', () => {
    expect(validateInlineExamples(PREDEFINED, [{ scenario_id: 'a', turns: [{ input: 'hi' }] }, { scenario_id: 'b' }]))
      .toEqual([`source examples[1]: turns is missing; ${PREDEFINED} requires turns, a non-empty list of turns`]);
  });

  test('at least one example', () => {
    expect(validateInlineExamples(PREDEFINED, [])).toEqual(['source: fromInline was given no examples; a dataset needs at least one']);
  });

  test(`past ${MAX_INLINE_EXAMPLES_BYTES} bytes of JSON, says to use fromAsset`, () => {
    const examples = Array.from({ length: 400 }, (_, i) => ({ scenario_id: `s${i}`, turns: [{ input: 'x'.repeat(80) }] }));
    const [message] = validateInlineExamples(PREDEFINED, examples);
    expect(message).toMatch(/^source: the inline examples are \d+ bytes of JSON; at most 32768 go into the template .*EvaluationDatasetSource\.fromAsset\(path\)$/);
  });

  test('many problems are capped, with a count of the rest', () => {
    const errors = validateInlineExamples(THIRD_PARTY, Array.from({ length: 30 }, () => ({})));
    expect(errors).toHaveLength(21);
    expect(errors[20]).toBe('... and 10 more problems with the examples');
  });
});

describe('validateJsonlFile', () => {
  test.each([
    ['predefined-valid.jsonl', PREDEFINED],
    ['simulated-valid.jsonl', SIMULATED],
    ['third-party-valid.jsonl', THIRD_PARTY],
  ])('%s is valid for %s', (file, schemaType) => {
    expect(validateJsonlFile(schemaType, path.join(FIXTURES, file))).toEqual([]);
  });

  test('predefined: names the line and the field, or the JSON error', () => {
    const errors = validateJsonlFile(PREDEFINED, path.join(FIXTURES, 'predefined-invalid.jsonl'));
    expect(errors).toEqual([
      `source predefined-invalid.jsonl line 2: scenario_id is missing; ${PREDEFINED} requires scenario_id, a non-empty string`,
      `source predefined-invalid.jsonl line 3: turns is []; ${PREDEFINED} requires turns, a non-empty list of turns`,
      `source predefined-invalid.jsonl line 4: turns[1].input is missing; ${PREDEFINED} requires an input in every turn`,
      expect.stringMatching(/^source predefined-invalid\.jsonl line 5: is not valid JSON \(.+\); every line must be one JSON object$/),
      'source predefined-invalid.jsonl line 6: is ["not","an","object"]; every example must be a JSON object',
    ]);
  });

  test('simulated', () => {
    expect(validateJsonlFile(SIMULATED, path.join(FIXTURES, 'simulated-invalid.jsonl'))).toEqual([
      `source simulated-invalid.jsonl line 1: actor_profile is missing; ${SIMULATED} requires actor_profile, an object with a context and a goal`,
      `source simulated-invalid.jsonl line 2: actor_profile.goal is missing; ${SIMULATED} requires actor_profile with a context and a goal`,
      `source simulated-invalid.jsonl line 3: input is missing; ${SIMULATED} requires input`,
    ]);
  });

  test('third-party', () => {
    const errors = validateJsonlFile(THIRD_PARTY, path.join(FIXTURES, 'third-party-invalid.jsonl'));
    expect(errors.map((e) => e.split(';')[0])).toEqual([
      'source third-party-invalid.jsonl line 1: input is ""',
      'source third-party-invalid.jsonl line 2: input is missing',
      'source third-party-invalid.jsonl line 3: input is ["not a message object"]',
    ]);
  });

  test('a file with no examples is an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'evals-'));
    const file = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(file, '\n  \n');
    try {
      expect(validateJsonlFile(PREDEFINED, file)).toEqual(['source empty.jsonl: has no examples; a dataset needs at least one line with a JSON object']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
