import { Token } from 'aws-cdk-lib';

/**
 * The type of a Personalize dataset, and of the schemas written for it. A dataset group holds at
 * most one dataset of each type.
 *
 * @example
 * const type = DatasetType.INTERACTIONS;
 * // A type this version of the library does not know yet:
 * const future = DatasetType.of('Item_Embeddings');
 */
export class DatasetType {
  /** Item interactions: events between users and items (USER_ID, ITEM_ID, TIMESTAMP). */
  public static readonly INTERACTIONS = new DatasetType('Interactions');
  /** Items: metadata about the items (ITEM_ID and at least one metadata field). */
  public static readonly ITEMS = new DatasetType('Items');
  /** Users: metadata about the users (USER_ID and at least one metadata field). */
  public static readonly USERS = new DatasetType('Users');
  /** Actions: engagement activities to recommend (ACTION_ID and at least one metadata field). Custom dataset groups only. */
  public static readonly ACTIONS = new DatasetType('Actions');
  /** Action interactions: events between users and actions. Custom dataset groups only. */
  public static readonly ACTION_INTERACTIONS = new DatasetType('Action_Interactions');

  /**
   * A dataset type by its value as CreateDataset takes it (case insensitive). The known types
   * return their constant; any other value is passed to Personalize as given, and the library's
   * schema checks, which only know the documented types, are skipped for it.
   */
  public static of(value: string): DatasetType {
    if (!Token.isUnresolved(value)) {
      const known = KNOWN.find((t) => t.key === value.toUpperCase());
      if (known) return known;
    }
    return new DatasetType(value);
  }

  /** The value as CreateDataset takes it, e.g. `Interactions` or `Action_Interactions`. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }

  /** The value in upper case, as it appears in dataset ARNs (`.../INTERACTIONS`): how types are compared. */
  public get key(): string {
    return Token.isUnresolved(this.value) ? this.value : this.value.toUpperCase();
  }

  /** Whether this is the same dataset type as `other` (Personalize compares types without case). */
  public matches(other: DatasetType): boolean {
    return this.key === other.key;
  }

  /** The value. */
  public toString(): string {
    return this.value;
  }
}

const KNOWN = [
  DatasetType.INTERACTIONS, DatasetType.ITEMS, DatasetType.USERS, DatasetType.ACTIONS, DatasetType.ACTION_INTERACTIONS,
];
