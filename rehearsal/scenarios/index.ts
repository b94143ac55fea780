/**
 * The rehearsal scenarios: stacks, scenario definitions, the harness that runs them and the checker
 * that compares the emulator with the driver after each one.
 */
export { checkConsistency, describeFindings } from './checker';
export type { CheckResult, Finding } from './checker';
export { applyExampleUpdate, firstLine, jsonlAssetObjects, progressLine, rehearseExample } from './example';
export type { ExampleChange, ExampleRehearsalOptions } from './example';
export { DEFAULT_TIME_SCALE, Rehearsal, ScenarioContext, sleep } from './harness';
export type { ConstructName, Figures, RehearsalOptions, Scenario, ScenarioOutcome, StackSet } from './harness';
export { allScenarios, expectStatus, resourceOf, updateScenarioStacks } from './scenarios';
export type { StackUpdate } from './scenarios';
export { BUCKET_NAME, FIXED_NAMES, S3_OBJECTS, ScenarioStacks, STACK_NAMES, WAIT_BOUND } from './stacks';
