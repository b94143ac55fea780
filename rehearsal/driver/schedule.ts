/**
 * Runs work over a dependency graph the way CloudFormation does: everything whose dependencies are
 * done starts at once; after the first failure nothing new starts, and what is in flight finishes.
 */
export async function runGraph(
  ids: string[],
  dependsOn: (id: string) => string[],
  work: (id: string) => Promise<boolean>,
): Promise<boolean> {
  const pending = new Set(ids);
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failed = false;
  let thrown: { error: unknown } | undefined; // an unexpected error: rethrown once everything has settled

  while (true) {
    if (!failed) {
      for (const id of [...pending]) {
        if (dependsOn(id).every((dep) => done.has(dep) || !ids.includes(dep))) {
          pending.delete(id);
          running.set(id, work(id).then(
            (ok) => { if (ok) done.add(id); else failed = true; },
            (error) => { failed = true; thrown ??= { error }; },
          ).finally(() => running.delete(id)));
        }
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (thrown) throw thrown.error;
  if (!failed && pending.size > 0) throw new Error(`circular dependency between ${[...pending].join(', ')}`);
  return !failed;
}
