/**
 * Reading a List call page by page, as the services page it (nextToken), until an item is found.
 */

/**
 * The first item of the listing that `matches`: `list` is called with each page's token in turn
 * (none for the first) until an item matches or there is no next page.
 */
export async function findInPages<P extends { nextToken?: string }, T>(list: (nextToken: string | undefined) => Promise<P>,
  itemsOf: (page: P) => readonly T[] | undefined, matches: (item: T) => boolean): Promise<T | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await list(nextToken);
    const found = (itemsOf(page) ?? []).find(matches);
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}
