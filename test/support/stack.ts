import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * A stack in an app that fails synthesis on any CloudFormation schema finding, so every template a
 * test synthesizes is also checked against the resource schemas.
 */
/** An app that fails synthesis on any CloudFormation schema finding. */
export function validatingApp(): App {
  return new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
}

/**
 * Synthesizes with cdk-nag's AwsSolutions pack and CloudFormation schema validation; returns the
 * findings' text, or '' when there are none.
 */
export function synthFindings(app: App): string {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

export function testStack(id = 'TestStack', props: { env?: { account: string; region: string } } = {}): Stack {
  return new Stack(validatingApp(), id, props);
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
