/**
 * Plausible physical ids and attributes for the resources the driver does not run (roles, functions,
 * state machines, buckets, keys...). They are deterministic (derived from the stack name and the
 * logical id) so that a re-synthesized template resolves to the same values.
 */
import * as crypto from 'crypto';

export interface Environment {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
}

export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

/** CloudFormation's generated names look like `Stack-LogicalId-1A2B3C4D5E6F`. */
export function generatedName(env: Environment, logicalId: string, salt = ''): string {
  return `${env.stackName.slice(0, 20)}-${logicalId.slice(0, 30)}-${suffix(env.stackName, logicalId + salt)}`;
}

function suffix(...parts: string[]): string {
  const hash = crypto.createHash('sha256').update(parts.join('/')).digest('hex');
  return BigInt('0x' + hash.slice(0, 16)).toString(36).toUpperCase().padStart(12, '0').slice(0, 12);
}

function uuidFrom(...parts: string[]): string {
  const h = crypto.createHash('sha256').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The resource's own name property (FunctionName, RoleName, ...) when the template sets it. */
function nameProperty(type: string, props: Record<string, any>): string | undefined {
  const kind = type.split('::')[2] ?? '';
  const value = props[`${kind}Name`];
  return typeof value === 'string' ? value : undefined;
}

/** What Ref returns for a simulated resource. */
export function simulatedPhysicalId(type: string, logicalId: string, props: Record<string, any>, env: Environment): string {
  const name = nameProperty(type, props) ?? generatedName(env, logicalId);
  const { region, account, partition } = env;
  switch (type) {
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${partition}:states:${region}:${account}:stateMachine:${nameProperty(type, props) ?? `${logicalId}-${suffix(env.stackName, logicalId)}`}`;
    case 'AWS::SNS::Topic':
      return `arn:${partition}:sns:${region}:${account}:${name}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${region}.${env.urlSuffix}/${account}/${name}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${partition}:iam::${account}:policy/${name}`;
    case 'AWS::KMS::Key':
      return uuidFrom(env.stackName, logicalId);
    case 'AWS::S3::Bucket':
      return name.toLowerCase();
    default:
      return name;
  }
}

/** What Fn::GetAtt returns for a simulated resource. */
export function simulatedAttribute(type: string, physicalId: string, props: Record<string, any>, attribute: string, env: Environment): unknown {
  const { region, account, partition } = env;
  const last = (s: string) => s.slice(s.lastIndexOf(':') + 1);
  switch (`${type}.${attribute}`) {
    case 'AWS::Lambda::Function.Arn':
      return `arn:${partition}:lambda:${region}:${account}:function:${physicalId}`;
    case 'AWS::IAM::Role.Arn':
      return `arn:${partition}:iam::${account}:role${props.Path ?? '/'}${physicalId}`;
    case 'AWS::IAM::Role.RoleId':
      return `AROA${suffix(physicalId)}`;
    case 'AWS::StepFunctions::StateMachine.Arn':
      return physicalId;
    case 'AWS::StepFunctions::StateMachine.Name':
      return last(physicalId);
    case 'AWS::S3::Bucket.Arn':
      return `arn:${partition}:s3:::${physicalId}`;
    case 'AWS::S3::Bucket.DomainName':
      return `${physicalId}.s3.${env.urlSuffix}`;
    case 'AWS::S3::Bucket.RegionalDomainName':
      return `${physicalId}.s3.${region}.${env.urlSuffix}`;
    case 'AWS::KMS::Key.Arn':
      return `arn:${partition}:kms:${region}:${account}:key/${physicalId}`;
    case 'AWS::KMS::Key.KeyId':
      return physicalId;
    case 'AWS::Logs::LogGroup.Arn':
      return `arn:${partition}:logs:${region}:${account}:log-group:${physicalId}:*`;
    case 'AWS::SNS::Topic.TopicArn':
      return physicalId;
    case 'AWS::SNS::Topic.TopicName':
      return last(physicalId);
    case 'AWS::SQS::Queue.Arn':
      return `arn:${partition}:sqs:${region}:${account}:${physicalId.slice(physicalId.lastIndexOf('/') + 1)}`;
    case 'AWS::SQS::Queue.QueueUrl':
      return physicalId;
    case 'AWS::SQS::Queue.QueueName':
      return physicalId.slice(physicalId.lastIndexOf('/') + 1);
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:${partition}:dynamodb:${region}:${account}:table/${physicalId}`;
    default:
      break;
  }
  if (attribute === 'Arn' || attribute.endsWith('Arn')) {
    if (physicalId.startsWith('arn:')) return physicalId;
    const [, service = 'unknown', kind = 'resource'] = type.split('::');
    return `arn:${partition}:${service.toLowerCase()}:${region}:${account}:${kind.toLowerCase()}/${physicalId}`;
  }
  return `${physicalId}.${attribute}`;
}
