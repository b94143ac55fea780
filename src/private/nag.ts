/**
 * cdk-nag acknowledgments for the library's own constructs: specific findings, as cdk-nag names
 * them, each with its reason. Never for the user's stack or app.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A value as cdk-nag writes it in a finding: `{ Ref: X }` is `<X>`, a GetAtt `<A.B>`, a Join its
 * parts joined, a Sub its template with `${X}` as `<X>`.
 */
export function nagText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, any>;
  if (node['Fn::Join']) return (node['Fn::Join'][1] as unknown[]).map(nagText).join(node['Fn::Join'][0]);
  if (node['Fn::Sub']) return nagText(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${nagText(node['Fn::GetAtt'][0])}.${nagText(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return nagText(node['Fn::ImportValue']);
  if (node.Ref) return `<${nagText(node.Ref)}>`;
  return JSON.stringify(value);
}

/** A token (an ARN, say) of `scope`'s stack as cdk-nag names it in a finding. */
export function nagTextOf(scope: IConstruct, token: string): string {
  return nagText(Stack.of(scope).resolve(token));
}

/** Acknowledges specific cdk-nag AwsSolutions findings (or a whole rule, without findings) on one construct. */
export function acknowledge(scope: IConstruct, findings: string[], reason: string, rule = 'AwsSolutions-IAM5'): void {
  const ids = findings.length > 0 ? findings.map((f) => `AwsSolutions::${rule}[${f}]`) : [`AwsSolutions::${rule}`];
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}
