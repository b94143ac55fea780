import * as fc from 'fast-check';
import { batches, canonical, Example, ListedExample, listedExample, MAX_BYTES_PER_CALL, planExamples } from '../../../lambda/agentcore/examples';

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

  test('members the service adds to a listed example do not make it differ; a missing or different member does', () => {
    const plan = planExamples(
      [{ scenario_id: 's1', turns: [{ input: 'a' }] }, { scenario_id: 's2', turns: [{ input: 'b' }] }, { scenario_id: 's3', turns: [] }],
      [
        listed('e3', { scenario_id: 's3' }),
        listed('e2', { scenario_id: 's2', turns: [{ input: 'B' }], addedByService: true }),
        listed('e1', { turns: [{ input: 'a' }], scenario_id: 's1', addedByService: 1 }),
      ],
    );
    expect(plan).toEqual({
      updates: [
        { exampleId: 'e2', content: { scenario_id: 's2', turns: [{ input: 'b' }] } },
        { exampleId: 'e3', content: { scenario_id: 's3', turns: [] } },
      ],
      deletes: [],
      adds: [],
    });
  });

  test('plans as comparing every wanted example with every listed one would (1000 random cases)', () => {
    // The rule stated by brute force: exact matches (as a multiset), then the first listed example
    // that holds a wanted one, then pairing by scenario_id, then in order.
    const holds = (l: Example, w: Example) => Object.entries(w).every(([k, v]) => v === undefined || canonical(l[k]) === canonical(v));
    function bruteForce(wanted: Example[], listedExamples: ListedExample[]) {
      const groups = new Map<string, ListedExample[]>();
      for (const l of listedExamples) groups.set(canonical(l.content), [...(groups.get(canonical(l.content)) ?? []), l]);
      const notExact = wanted.filter((w) => {
        const same = groups.get(canonical(w));
        return !(same && same.length > 0 && same.shift());
      });
      let stale = [...groups.values()].flat();
      const missing = notExact.filter((w) => {
        const i = stale.findIndex((l) => holds(l.content, w));
        if (i >= 0) stale = stale.filter((_, j) => j !== i);
        return i < 0;
      });
      const updates: Array<{ exampleId: string; content: Example }> = [];
      const unpaired = missing.filter((w) => {
        const i = stale.findIndex((l) => typeof w.scenario_id === 'string' && l.content.scenario_id === w.scenario_id);
        if (i >= 0) updates.push({ exampleId: stale.splice(i, 1)[0].exampleId, content: w });
        return i < 0;
      });
      const paired = Math.min(unpaired.length, stale.length);
      for (let i = 0; i < paired; i++) updates.push({ exampleId: stale[i].exampleId, content: unpaired[i] });
      return { updates, deletes: stale.slice(paired).map((l) => l.exampleId), adds: unpaired.slice(paired) };
    }
    // Few names and values, so that examples often match, hold one another or share a scenario_id.
    // undefined members too: the rule ignores them (JSON has none, but the planner is given objects).
    const value = fc.oneof(fc.constantFrom('a', 'b', 1, null, undefined), fc.constant([{ input: 'a' }]), fc.constant({ y: 1, x: 2 }), fc.constant({ x: 2, y: 1 }));
    const example = fc.dictionary(fc.constantFrom('scenario_id', 'turns', 'input', 'extra'), value, { maxKeys: 4 });
    fc.assert(fc.property(fc.array(example, { maxLength: 12 }), fc.array(example, { maxLength: 12 }), (wanted, contents) => {
      const listedExamples = contents.map((content, i) => listed(`e${i}`, content));
      expect(planExamples(wanted, listedExamples)).toStrictEqual(bruteForce(wanted, listedExamples));
    }), { numRuns: 1000, seed: 20261203 });
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
