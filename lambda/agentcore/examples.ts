/**
 * Pure helpers for evaluation dataset examples: how the DRAFT's examples compare with the wanted
 * ones, and how a list of examples is cut into calls the service accepts.
 */
import { canonical, isObject } from '../core/json';

export { canonical, isObject };

/** Examples per AddDatasetExamples, UpdateDatasetExamples and DeleteDatasetExamples call (API reference). */
export const MAX_EXAMPLES_PER_CALL = 1000;

/**
 * Examples per ListDatasetExamples page at first. The service checks a page against 5 MB after
 * reading it, and 1000 large examples exceed that: a page that is too large is asked again at half
 * the size (see pageSizeAfter).
 */
export const FIRST_PAGE_SIZE = 100;

/**
 * Bytes of examples per call. The service takes at most 5 MB of request body ("Request size
 * limit: Max 5 MB total request body"); the rest is left for the request's own fields and JSON.
 */
export const MAX_BYTES_PER_CALL = 4 * 1024 * 1024;

export type Example = Record<string, unknown>;

/** An example as ListDatasetExamples returns it: its content plus the service's `exampleId`. */
export interface ListedExample {
  readonly exampleId: string;
  readonly content: Example;
}

export interface ExamplesPlan {
  /** Listed examples whose content changes in place (UpdateDatasetExamples keeps their ids). */
  readonly updates: Array<{ readonly exampleId: string; readonly content: Example }>;
  /** Listed examples that are not wanted any more. */
  readonly deletes: string[];
  /** Wanted examples that are not there. */
  readonly adds: Example[];
}

/** Splits a listed example into its id and its content. */
export function listedExample(document: unknown): ListedExample {
  if (!isObject(document) || typeof document.exampleId !== 'string') {
    throw new Error(`ListDatasetExamples returned an example without an exampleId: ${JSON.stringify(document)?.slice(0, 200)}`);
  }
  const { exampleId, ...content } = document;
  return { exampleId, content };
}

/**
 * What brings the listed examples to the wanted ones. An example the DRAFT holds already (as a
 * multiset) is kept. A changed example is updated in place, paired with an unwanted one of the same
 * `scenario_id` where there is one, else with any unwanted one; what is left over is deleted or added.
 *
 * Each step looks examples up by a key instead of comparing every wanted example with every listed
 * one: thousands of changed examples are planned in time proportional to their number times the
 * number of distinct member sets among them (one or a few, as examples of a dataset share a shape).
 */
export function planExamples(wanted: Example[], listed: ListedExample[]): ExamplesPlan {
  // Exact matches first, by canonical text.
  const byContent = new Map<string, ListedExample[]>();
  for (const example of listed) append(byContent, canonical(example.content), example);
  const taken = new Map<ListedExample[], number>();
  const notExact: Example[] = [];
  for (const example of wanted) {
    const same = byContent.get(canonical(example));
    const used = same ? taken.get(same) ?? 0 : 0;
    if (same && used < same.length) taken.set(same, used + 1);
    else notExact.push(example);
  }
  // What is left of each group of equal listed examples, groups in the order first listed.
  let stale = [...byContent.values()].flatMap((same) => same.slice(taken.get(same) ?? 0));

  // Then a listed example that holds a wanted one: every member of the wanted example with an equal
  // value, and members of its own, which the service may add to what it lists and are not the
  // user's. The first that holds it, found by its members of the wanted one's names.
  const holding = new Queues(stale);
  const byMembers = new Map<string, Map<string, number[]>>();
  const missing: Example[] = [];
  for (const example of notExact) {
    const members = Object.keys(example).filter((key) => example[key] !== undefined).sort();
    const signature = JSON.stringify(members);
    let index = byMembers.get(signature);
    if (!index) {
      // Each listed example by its members of this set: few sets, as examples share a shape.
      index = new Map();
      for (let i = 0; i < stale.length; i++) append(index, canonical(pick(stale[i].content, members)), i);
      byMembers.set(signature, index);
    }
    if (holding.take(index.get(canonical(example))) === undefined) missing.push(example);
  }
  stale = holding.rest();

  // Changed examples take the place of an unwanted one of their scenario_id, else of any.
  const sameScenario = new Queues(stale);
  const byScenario = new Map<string, number[]>();
  stale.forEach((s, i) => { if (typeof s.content.scenario_id === 'string') append(byScenario, s.content.scenario_id, i); });
  const updates: Array<{ exampleId: string; content: Example }> = [];
  const unpaired: Example[] = [];
  for (const example of missing) {
    const index = typeof example.scenario_id === 'string' ? sameScenario.take(byScenario.get(example.scenario_id)) : undefined;
    if (index !== undefined) updates.push({ exampleId: stale[index].exampleId, content: example });
    else unpaired.push(example);
  }
  stale = sameScenario.rest();
  const paired = Math.min(unpaired.length, stale.length);
  for (let i = 0; i < paired; i++) updates.push({ exampleId: stale[i].exampleId, content: unpaired[i] });
  return {
    updates,
    deletes: stale.slice(paired).map((s) => s.exampleId),
    adds: unpaired.slice(paired),
  };
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const values = map.get(key);
  if (values) values.push(value);
  else map.set(key, [value]);
}

/** The members of an example named in `members`, for comparing with a wanted example of those members. */
function pick(example: Example, members: string[]): Example {
  return Object.fromEntries(members.filter((m) => m in example).map((m) => [m, example[m]]));
}

/**
 * Items taken one at a time from several candidate lists (positions in `items`, ascending), each
 * item at most once: `take` gives the first candidate not taken yet, `rest` the items never taken.
 */
class Queues<T> {
  private readonly taken = new Set<number>();
  private readonly next = new Map<number[], number>();

  constructor(private readonly items: T[]) {}

  public take(candidates: number[] | undefined): number | undefined {
    if (!candidates) return undefined;
    let at = this.next.get(candidates) ?? 0;
    while (at < candidates.length && this.taken.has(candidates[at])) at++;
    this.next.set(candidates, at + 1);
    if (at >= candidates.length) return undefined;
    this.taken.add(candidates[at]);
    return candidates[at];
  }

  public rest(): T[] {
    return this.items.filter((_, i) => !this.taken.has(i));
  }
}

/**
 * Cuts items into calls of at most MAX_EXAMPLES_PER_CALL items and MAX_BYTES_PER_CALL bytes of
 * JSON. An item larger than the byte bound goes alone (the service will say what is wrong with it).
 */
export function batches<T>(items: T[]): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && (current.length >= MAX_EXAMPLES_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** The examples of a JSONL file: one JSON object a line; blank lines are skipped. */
export function parseJsonl(text: string, source: string): Example[] {
  const examples: Example[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${source} line ${index + 1} is not JSON: ${(error as Error).message}`);
    }
    if (!isObject(value)) throw new Error(`${source} line ${index + 1} is not a JSON object`);
    examples.push(value);
  });
  return examples;
}

/** Whether a ListDatasetExamples error says the page was too large to return. */
export function isPageTooLarge(error: unknown): boolean {
  const e = (error ?? {}) as { name?: string; message?: string };
  return e.name === 'ValidationException' && /\b(5 ?MB|too large|size|limit)\b/i.test(e.message ?? '');
}

/** The page size to ask again with after a page was too large; undefined when it cannot shrink. */
export function pageSizeAfter(tooLarge: number): number | undefined {
  return tooLarge > 1 ? Math.floor(tooLarge / 2) : undefined;
}
