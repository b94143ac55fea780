/**
 * The schema type of an evaluation dataset: the shape every example must have. It is fixed when
 * the dataset is created; changing it replaces the dataset.
 */
export class EvaluationSchemaType {
  /**
   * Pre-written conversations: each example has a `scenario_id` and `turns`, a non-empty list in
   * which every turn has an `input` (optionally `expected_response`, and for the scenario
   * `expected_trajectory` and `assertions`).
   */
  public static readonly AGENTCORE_EVALUATION_PREDEFINED_V1 = new EvaluationSchemaType('AGENTCORE_EVALUATION_PREDEFINED_V1');

  /**
   * Simulated conversations: each example has a `scenario_id`, an `actor_profile` with `context`
   * and `goal`, and the first `input`; an LLM-backed actor plays the user from there.
   */
  public static readonly AGENTCORE_EVALUATION_SIMULATED_V1 = new EvaluationSchemaType('AGENTCORE_EVALUATION_SIMULATED_V1');

  /**
   * Examples for third-party evaluation frameworks: each has an `input`, a string (single turn)
   * or a list of messages (multi-turn).
   */
  public static readonly THIRD_PARTY_EVALUATION_V1 = new EvaluationSchemaType('THIRD_PARTY_EVALUATION_V1');

  /**
   * A schema type this library does not know yet. Its examples are only checked to be JSON objects
   * at synth time; the service checks the rest.
   */
  public static of(value: string): EvaluationSchemaType {
    return new EvaluationSchemaType(value);
  }

  /** The value the service knows the schema type by. */
  public readonly value: string;

  private constructor(value: string) {
    this.value = value;
  }
}
