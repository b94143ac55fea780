/**
 * Pure helpers for evaluation dataset examples: how the DRAFT's examples compare with the wanted
 * ones, and how a list of examples is cut into calls the service accepts.
 */
import { canonical } from '../core/lifecycle';

// Examples are compared as JSON values, key order aside: the lifecycle core's canonical form.
export { canonical };

/** Examples per AddDatasetExamples, UpdateDatasetExamples and DeleteDatasetExamples call, and per ListDatasetExamples page (API reference). */
export const MAX_EXAMPLES_PER_CALL = 1000;

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
 * What brings the listed examples to the wanted ones. Equal content (as a multiset) is kept. A
 * changed example is updated in place, paired with an unwanted one of the same `scenario_id` where
 * there is one, else with any unwanted one; what is left over is deleted or added.
 */
export function planExamples(wanted: Example[], listed: ListedExample[]): ExamplesPlan {
  const unmatched = new Map<string, ListedExample[]>();
  for (const example of listed) {
    const key = canonical(example.content);
    unmatched.set(key, [...(unmatched.get(key) ?? []), example]);
  }
  const missing: Example[] = [];
  for (const example of wanted) {
    const same = unmatched.get(canonical(example));
    if (same && same.length > 0) same.shift();
    else missing.push(example);
  }
  const stale = [...unmatched.values()].flat();

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

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
