import { App, Stack } from 'aws-cdk-lib';

/**
 * A stack in an app that fails synthesis on any CloudFormation schema finding, so every template a
 * test synthesizes is also checked against the resource schemas.
 */
export function testStack(id = 'TestStack', props: { env?: { account: string; region: string } } = {}): Stack {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  return new Stack(app, id, props);
}

/** Resources of one type in a synthesized template. */
export function resourcesOfType(template: { Resources?: Record<string, { Type: string }> }, type: string): number {
  return Object.values(template.Resources ?? {}).filter((r) => r.Type === type).length;
}

/**
 * A template for a snapshot, with asset hashes masked: they change with every handler edit, while
 * the snapshot is there to review what the constructs put in the template.
 */
export function snapshotTemplate(template: object): object {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(?=\.zip|\.json|\.csv|\.jsonl|")/g, '<asset-hash>'));
}
