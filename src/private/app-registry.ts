import { IConstruct } from 'constructs';

/**
 * The constructs of one kind each app has made, by a key (a dataset group's ARN, say), for checks
 * across the app such as one dataset of each type per group. Searching the whole tree in every
 * construct's own check made validation quadratic in the size of the app; a look-up here is a map
 * access. Nothing is taken out when a construct is removed from the tree, so what is registered is
 * a superset of what the tree holds: a check may pass on it alone, and should search the tree
 * (for its order, and to leave removed constructs out) once it has found a clash.
 */
export class AppRegistry<T extends IConstruct> {
  private readonly byApp = new WeakMap<IConstruct, Map<string, T[]>>();

  public register(construct: T, key: string): void {
    const root = construct.node.root;
    let byKey = this.byApp.get(root);
    if (!byKey) {
      byKey = new Map();
      this.byApp.set(root, byKey);
    }
    const same = byKey.get(key);
    if (same) same.push(construct);
    else byKey.set(key, [construct]);
  }

  /** The constructs registered under `key` in the app of `scope`, in the order they were made. */
  public withKey(scope: IConstruct, key: string): readonly T[] {
    return this.byApp.get(scope.node.root)?.get(key) ?? [];
  }
}
