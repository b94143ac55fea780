import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { DatasetsProvider } from '../../src';

/**
 * An app that fails synthesis on any CloudFormation schema finding, so every template a test
 * synthesizes is also checked against the resource schemas.
 */
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

/** The stack's cdk-datasets provider, if a construct of the library made one (never makes one). */
export function providerOf(stack: Stack): DatasetsProvider | undefined {
  return stack.node.findAll().find((c): c is DatasetsProvider => c instanceof DatasetsProvider);
}

/** The stack's provider's service token as the template has it, for a custom resource's ServiceToken. */
export function serviceTokenOf(stack: Stack): unknown {
  const provider = providerOf(stack);
  if (!provider) throw new Error(`stack ${stack.node.path} has no cdk-datasets provider`);
  return stack.resolve(provider.serviceToken);
}

/** What a snapshot shows in place of the provider's service token. */
export const SERVICE_TOKEN = '<DatasetsProvider.serviceToken>';

/**
 * The stack's template for a snapshot: what the library's constructs put in it, and nothing that
 * an aws-cdk-lib upgrade or a handler edit would rewrite. It holds the stack's resources (the
 * library's custom resources; the roles, policies, keys and buckets the constructs and the test
 * add; the provider's log group, staging bucket, handler role and that role's policy statements)
 * and leaves out:
 * - the provider's functions (the handler bundle's and the Provider framework's), the framework's
 *   waiter state machine and the roles that run them: aws-cdk-lib's internals, the same in every
 *   stack, whose shape follows the aws-cdk-lib version;
 * - the synthesizer's bootstrap-version parameter and rule;
 * - asset hashes (the handler bundle's, a staged file's), masked as `<asset-hash>`;
 * - the provider's service token (a reference to a framework function), shown as {@link SERVICE_TOKEN}.
 */
export function snapshotTemplate(stack: Stack): object {
  const template = Template.fromStack(stack).toJSON();
  const left = new Set<string>();
  const provider = providerOf(stack);
  if (provider) {
    const internal = (c: IConstruct) => c instanceof cr.Provider || c instanceof lambda.Function
      || c.node.id === 'FrameworkOnEventRole' || c.node.id === 'FrameworkWaiterRole';
    for (const part of provider.node.children.filter(internal)) {
      for (const c of part.node.findAll()) {
        if (CfnElement.isCfnElement(c)) left.add(stack.getLogicalId(c));
      }
    }
  }
  const kept: Record<string, unknown> = {
    Resources: Object.fromEntries(Object.entries<any>(template.Resources ?? {}).filter(([id]) => !left.has(id))),
  };
  // A test's own outputs and conditions, if any; the synthesizer's Parameters and Rules are left out.
  if (template.Conditions) kept.Conditions = template.Conditions;
  if (template.Outputs) kept.Outputs = template.Outputs;
  let text = JSON.stringify(kept);
  if (provider) {
    text = text.split(JSON.stringify(stack.resolve(provider.serviceToken))).join(JSON.stringify(SERVICE_TOKEN));
  }
  // Whatever is left that still names an internal resource would change with aws-cdk-lib: say so.
  const dangling = [...left].filter((id) => text.includes(`"${id}"`));
  if (dangling.length > 0) throw new Error(`snapshotTemplate: the snapshot refers to internal resources ${dangling.join(', ')}`);
  return JSON.parse(text.replace(/[0-9a-f]{64}(?=\.zip|\.json|\.csv|\.jsonl|")/g, '<asset-hash>'));
}
