/**
 * Customer managed KMS keys handed to a service: checked at synth time (a key ARN, in the stack's
 * region, symmetric), and admitted by the key policy where the app can change it.
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

const KEY_ARN = /^arn:aws(|-cn|-us-gov|-iso|-iso-b):kms:[a-zA-Z0-9-]*:[0-9]{12}:key\/[a-zA-Z0-9-]{36}$/;

/** Messages for a key the service cannot take, each naming `property` and what to do. */
export function validateEncryptionKey(scope: IConstruct, key: kms.IKey | undefined, property: string, service: string): string[] {
  if (!key) return [];
  if ('aliasName' in key) {
    return [`${property} is an alias (${(key as kms.IAlias).aliasName}); ${service} takes a key ARN, so pass the key itself ` +
      '(for an alias of this app, alias.aliasTargetKey; for an existing key, kms.Key.fromKeyArn)'];
  }
  const errors: string[] = [];
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && !Token.isUnresolved(key.env.region) && key.env.region !== region) {
    errors.push(`${property} is in ${key.env.region}; ${service} needs a key in the same region as the stack (${region})`);
  }
  if (!Token.isUnresolved(key.keyArn) && !KEY_ARN.test(key.keyArn)) {
    errors.push(`${property} ARN "${key.keyArn}" must be a key ARN, matching ${KEY_ARN.source}`);
  }
  if (key instanceof kms.Key) {
    const cfn = key.node.defaultChild as kms.CfnKey;
    const spec: unknown = cfn.keySpec;
    const usage: unknown = cfn.keyUsage;
    if ((typeof spec === 'string' && !Token.isUnresolved(spec) && spec !== kms.KeySpec.SYMMETRIC_DEFAULT)
      || (typeof usage === 'string' && !Token.isUnresolved(usage) && usage !== kms.KeyUsage.ENCRYPT_DECRYPT)) {
      errors.push(`${property} has key spec ${spec ?? kms.KeySpec.SYMMETRIC_DEFAULT} and usage ${usage ?? kms.KeyUsage.ENCRYPT_DECRYPT}; ` +
        `${service} only supports symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)`);
    }
  }
  return errors;
}

/**
 * Adds a statement to the key's policy; for a key whose policy the app cannot change (an imported
 * key), a warning says what to add where the key is defined, citing where the service documents it.
 */
export function addToKeyPolicy(scope: IConstruct, key: kms.IKey, statement: iam.PolicyStatement, warning: { id: string; what: string; source: string }): void {
  const added = key.addToResourcePolicy(statement, /* allowNoOp */ true);
  if (!added.statementAdded) {
    Annotations.of(scope).addWarningV2(warning.id, `The KMS key ${key.keyArn} is not defined in this app, so its policy ` +
      `cannot be changed here. ${warning.what} (${warning.source}); add it where the key is defined.`);
  }
}
