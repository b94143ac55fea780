import { batches, canonical, listedExample, MAX_BYTES_PER_CALL, planExamples } from '../../../lambda/agentcore/examples';

const listed = (exampleId: string, content: Record<string, unknown>) => ({ exampleId, content });

describe('canonical', () => {
  test('ignores key order and undefined members, keeps array order', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: undefined } })).toBe(canonical({ a: { d: [2, 1] }, b: 1 }));
    expect(canonical({ a: [1, 2] })).not.toBe(canonical({ a: [2, 1] }));
  });
});

describe('listedExample', () => {
  test('splits the exampleId from the content', () => {
    expect(listedExample({ exampleId: 'e1', scenario_id: 's1' })).toEqual({ exampleId: 'e1', content: { scenario_id: 's1' } });
  });

  test('an example without an exampleId is an error', () => {
    expect(() => listedExample({ scenario_id: 's1' })).toThrow(/without an exampleId/);
  });
});

describe('planExamples', () => {
  test('nothing to do when the content matches, whatever the key order', () => {
    const plan = planExamples([{ turns: [{ input: 'hi' }], scenario_id: 's1' }], [listed('e1', { scenario_id: 's1', turns: [{ input: 'hi' }] })]);
    expect(plan).toEqual({ updates: [], deletes: [], adds: [] });
  });

  test('a changed example is updated in place, paired by scenario_id', () => {
    const plan = planExamples(
      [{ scenario_id: 's1', turns: [{ input: 'a' }] }, { scenario_id: 's2', turns: [{ input: 'new' }] }],
      [listed('e1', { scenario_id: 's1', turns: [{ input: 'a' }] }), listed('e9', { scenario_id: 'other' }), listed('e2', { scenario_id: 's2', turns: [{ input: 'old' }] })],
    );
    expect(plan.updates).toEqual([{ exampleId: 'e2', content: { scenario_id: 's2', turns: [{ input: 'new' }] } }]);
    expect(plan.deletes).toEqual(['e9']);
    expect(plan.adds).toEqual([]);
  });

  test('without a scenario_id, changed examples pair in order; the rest is deleted or added', () => {
    expect(planExamples([{ input: 'x' }, { input: 'y' }, { input: 'z' }], [listed('e1', { input: 'a' })]))
      .toEqual({ updates: [{ exampleId: 'e1', content: { input: 'x' } }], deletes: [], adds: [{ input: 'y' }, { input: 'z' }] });
    expect(planExamples([{ input: 'x' }], [listed('e1', { input: 'a' }), listed('e2', { input: 'b' })]))
      .toEqual({ updates: [{ exampleId: 'e1', content: { input: 'x' } }], deletes: ['e2'], adds: [] });
  });

  test('duplicates count: two equal wanted examples need two listed ones', () => {
    const plan = planExamples([{ input: 'x' }, { input: 'x' }], [listed('e1', { input: 'x' }), listed('e2', { input: 'x' }), listed('e3', { input: 'x' })]);
    expect(plan).toEqual({ updates: [], deletes: ['e3'], adds: [] });
  });
});

describe('batches', () => {
  test('at most 1000 items per call', () => {
    const sizes = batches(Array.from({ length: 2500 }, (_, i) => ({ i }))).map((b) => b.length);
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  test('at most 4 MiB of JSON per call', () => {
    const big = { text: 'x'.repeat(1024 * 1024) };
    const result = batches([big, big, big, big, big]);
    expect(result.map((b) => b.length)).toEqual([3, 2]);
    for (const batch of result) expect(Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(MAX_BYTES_PER_CALL);
  });

  test('an item larger than the bound goes alone', () => {
    const huge = { text: 'x'.repeat(MAX_BYTES_PER_CALL + 1) };
    expect(batches([{ a: 1 }, huge, { b: 2 }]).map((b) => b.length)).toEqual([1, 1, 1]);
  });

  test('no items, no calls', () => {
    expect(batches([])).toEqual([]);
  });
});
