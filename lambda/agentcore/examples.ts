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
 * Whether a listed example holds a wanted one: every member of the wanted example, with an equal
 * value (key order aside). Members the service adds to what it lists are not the user's, so they
 * do not make an example differ.
 */
export function holds(listed: Example, wanted: Example): boolean {
  return Object.entries(wanted).every(([key, value]) => value === undefined || canonical(listed[key]) === canonical(value));
}

/**
 * What brings the listed examples to the wanted ones. An example the DRAFT holds already (as a
 * multiset) is kept. A changed example is updated in place, paired with an unwanted one of the same
 * `scenario_id` where there is one, else with any unwanted one; what is left over is deleted or added.
 */
export function planExamples(wanted: Example[], listed: ListedExample[]): ExamplesPlan {
  // Exact matches first (cheap), then listed examples that hold a wanted one with extra members.
  const unmatched = new Map<string, ListedExample[]>();
  for (const example of listed) {
    const key = canonical(example.content);
    unmatched.set(key, [...(unmatched.get(key) ?? []), example]);
  }
  const notExact: Example[] = [];
  for (const example of wanted) {
    const same = unmatched.get(canonical(example));
    if (same && same.length > 0) same.shift();
    else notExact.push(example);
  }
  let stale = [...unmatched.values()].flat();
  const missing: Example[] = [];
  for (const example of notExact) {
    const index = stale.findIndex((s) => holds(s.content, example));
    if (index >= 0) stale = [...stale.slice(0, index), ...stale.slice(index + 1)];
    else missing.push(example);
  }

  const updates: Array<{ exampleId: string; content: Example }> = [];
  const unpaired: Example[] = [];
  for (const example of missing) {
    const index = stale.findIndex((s) => typeof example.scenario_id === 'string' && s.content.scenario_id === example.scenario_id);
    if (index >= 0) updates.push({ exampleId: stale.splice(index, 1)[0].exampleId, content: example });
    else unpaired.push(example);
  }
  const paired = Math.min(unpaired.length, stale.length);
  for (let i = 0; i < paired; i++) updates.push({ exampleId: stale[i].exampleId, content: unpaired[i] });
  return {
    updates,
    deletes: stale.slice(paired).map((s) => s.exampleId),
    adds: unpaired.slice(paired),
  };
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
