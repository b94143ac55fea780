import * as path from 'path';
import { Aspects, CfnDeletionPolicy, CfnElement, CfnResource, Duration, IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { RESOURCES, STATUS_POLL_INTERVAL_MS } from './contract';
import { acknowledge, nagTextOf } from './private/nag';

/******************************************************************************
 *                                 Constants
 *****************************************************************************/

const PROVIDER_ID = 'CdkDatasetsProvider';
/** The handler bundle: index.js and the chunks it loads on first use (scripts/bundle-handlers.ts). */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'handlers');
/** How often the Provider framework calls isComplete; the handlers space their status calls out themselves. */
const QUERY_INTERVAL = Duration.millis(STATUS_POLL_INTERVAL_MS);
/**
 * The Provider framework's ceiling, and CloudFormation's (a custom resource's ServiceTimeout is at
 * most an hour): each resource's own wait bound is lower (MAX_WAIT_TIMEOUT_SECONDS), so that it is
 * the handler that ends a wait, with the service's last status, never CloudFormation.
 */
export const TOTAL_TIMEOUT = Duration.hours(1);
/** onEvent may sit in the SDK's retry backoff while the service throttles; isComplete makes a few calls a poll. */
const ON_EVENT_TIMEOUT = Duration.minutes(5);
const IS_COMPLETE_TIMEOUT = Duration.minutes(1);
const DEFAULT_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;
/** Staged copies are removed once their import job has ended; a copy left by an interrupted import expires. */
const STAGED_COPY_EXPIRATION = Duration.days(7);
const LIBRARY_RESOURCE_TYPES = new Set<string>(Object.values(RESOURCES).map((r) => r.type));

/******************************************************************************
 *                                 Props
 *****************************************************************************/

/** Settings of the stack's cdk-datasets provider, for {@link DatasetsProvider.configure}. */
export interface DatasetsProviderProps {
  /**
   * How long the handlers' log lines (and the Provider framework's) are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the provider's log group, and to the bucket that imports from local files
   * stage their data in, when they leave the stack.
   * @default - RemovalPolicy.DESTROY when every cdk-datasets resource of the stack is destroyed with
   * it, so that `cdk destroy` leaves nothing of the library behind; RemovalPolicy.RETAIN as soon as
   * one of them is retained
   */
  readonly removalPolicy?: RemovalPolicy;
}

/******************************************************************************
 *                                 Class
 *****************************************************************************/

/**
 * The custom-resource provider that every cdk-datasets construct of a stack shares, whatever the
 * mix of services: one pair of handler functions (onEvent, isComplete), one waiter state machine,
 * one log group. Each construct adds a custom resource and the handler permissions its resource
 * needs, never another set of functions. Made by the first construct of a stack; configure it with
 * {@link DatasetsProvider.configure}.
 *
 * @example
 * declare const stack: Stack;
 * DatasetsProvider.configure(stack, {
 *   logRetention: logs.RetentionDays.ONE_MONTH,
 *   removalPolicy: RemovalPolicy.DESTROY,
 * });
 */
export class DatasetsProvider extends Construct {
  /** The provider of the scope's stack, made if it has none yet. */
  public static of(scope: IConstruct): DatasetsProvider {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(PROVIDER_ID) as DatasetsProvider | undefined) ?? new DatasetsProvider(stack);
  }

  /**
   * Configures the provider of the scope's stack, made if it has none yet. Call it once per stack;
   * before or after adding constructs.
   */
  public static configure(scope: IConstruct, props: DatasetsProviderProps): DatasetsProvider {
    const provider = DatasetsProvider.of(scope);
    provider.applySettings(props);
    return provider;
  }

  /** The service token of the provider's custom resources. */
  public readonly serviceToken: string;
  /** The role both handler functions run with: every permission the stack's resources need is on it. */
  public readonly handlerRole: iam.IRole;
  /** Where the handlers, the Provider framework's functions and its waiter write their logs. */
  public readonly logGroup: logs.ILogGroup;

  /**
   * The service token as the framework entry function's ARN attribute: what the custom resources of
   * the provider's own stack use. {@link serviceToken} resolves through a check for a consumer in
   * another account or region first, which a resource in this stack never is, at every resolution.
   * @internal
   */
  public readonly _serviceTokenInStack: string;

  private readonly role: iam.Role;
  private readonly logs: logs.LogGroup;
  /** The action lists granted so far, by `<service>:<resource type>`, or `*` for any resource. */
  private readonly grants = new Map<string, Array<readonly string[]>>();
  private stagingBucket?: s3.Bucket;
  private configured = false;
  private removalPolicy?: RemovalPolicy;

  private constructor(stack: Stack) {
    super(stack, PROVIDER_ID);
    this.logs = new logs.LogGroup(this, 'Logs', { retention: DEFAULT_LOG_RETENTION });
    this.logGroup = this.logs;

    // Our own roles rather than AWSLambdaBasicExecutionRole: only the writes to our log group.
    this.role = this.lambdaRole('HandlerRole', 'Runs the cdk-datasets handlers');
    this.handlerRole = this.role;
    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const handlerFunction = (name: string, handler: string, timeout: Duration) => new lambda.Function(this, name, {
      code,
      handler,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout,
      role: this.role,
      logGroup: this.logs,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: `cdk-datasets: dataset resources, ${handler.split('.')[1]}`,
    });
    const onEvent = handlerFunction('OnEvent', 'index.onEvent', ON_EVENT_TIMEOUT);
    const isComplete = handlerFunction('IsComplete', 'index.isComplete', IS_COMPLETE_TIMEOUT);

    const frameworkOnEventRole = this.lambdaRole('FrameworkOnEventRole', 'Runs the Provider framework onEvent');
    const frameworkWaiterRole = this.lambdaRole('FrameworkWaiterRole', 'Runs the Provider framework waiter');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup: this.logs,
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole: frameworkWaiterRole,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: this.logs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.serviceToken = provider.serviceToken;
    this._serviceTokenInStack = (provider.node.findChild('framework-onEvent').node.defaultChild as lambda.CfnFunction).attrArn;

    // Findings the Provider framework's own resources cannot avoid, acknowledged on those resources
    // only (never on the user's stack), each with its specific finding and reason.
    const invokeVersions = 'The Provider framework grants lambda:InvokeFunction on the function it calls and on ' +
      'its versions and aliases (<function arn>:*); the functions are this construct\'s own.';
    for (const role of [frameworkOnEventRole, frameworkWaiterRole]) {
      acknowledge(role, [invokeAnyVersion(onEvent), invokeAnyVersion(isComplete)], invokeVersions);
    }
    const waiterRole = provider.node.findChild('waiter-state-machine').node.findChild('Role');
    acknowledge(waiterRole, ['framework-isComplete', 'framework-onTimeout']
      .map((fn) => invokeAnyVersion(provider.node.findChild(fn))), invokeVersions);
    acknowledge(waiterRole, ['Resource::*'], 'Step Functions log delivery actions (logs:CreateLogDelivery and ' +
      'related) do not support resource-level permissions; aws-cdk-lib adds them for the waiter\'s logging.');
    acknowledge(provider.node.findChild('waiter-state-machine'), [], 'The Provider framework\'s waiter state machine ' +
      'has no X-Ray tracing option; it only calls isComplete on a schedule.', 'AwsSolutions-SF2');

    // The removal policy follows the stack's resources unless configured: decided once the app is complete.
    Aspects.of(this).add(new DefaultRemovalPolicy(this));
  }

  /**
   * The bucket that imports from local files stage their data in: the CDK asset bucket's policy
   * cannot be changed by an app, and Personalize requires a bucket policy that admits it.
   * @internal
   */
  public _stagingBucket(): s3.IBucket {
    if (!this.stagingBucket) {
      this.stagingBucket = new s3.Bucket(this, 'StagingBucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        lifecycleRules: [{ expiration: STAGED_COPY_EXPIRATION, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      });
      acknowledge(this.stagingBucket, [], 'The staging bucket only holds short-lived copies of the app\'s own CDK file ' +
        'assets, written by the cdk-datasets handler and read by Personalize import jobs; they are removed once the ' +
        'import job has ended.', 'AwsSolutions-S1');
    }
    return this.stagingBucket;
  }

  /**
   * Lets the handlers call `actions` on this account and region's resources of one type. Names are
   * generated at deploy time, so the ARN ends in a wildcard; the finding is acknowledged for that ARN.
   * `why` is asked for only when the grant is new.
   * @internal
   */
  public _grantOnResourceType(service: string, resourceType: string, actions: readonly string[], why: () => string): void {
    // Every construct asks for its type's grant: the ARN (tokens to make) only for the first.
    if (!this.isNewGrant(`${service}:${resourceType}`, actions)) return;
    const arn = Stack.of(this).formatArn({ service, resource: resourceType, resourceName: '*' });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [arn] }));
    acknowledge(this.role, [`Resource::${nagTextOf(this, arn)}`], why());
  }

  /**
   * Lets the handlers call actions that IAM can only grant on "*".
   * @internal
   */
  public _grantOnAnyResource(actions: readonly string[], why: string): void {
    if (!this.isNewGrant('*', actions)) return;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: ['*'] }));
    acknowledge(this.role, ['Resource::*'], why);
  }

  /**
   * Adds a statement to the handler role (identical statements are merged by IAM policy rendering).
   * @internal
   */
  public _grant(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }

  /** @internal */
  public _effectiveRemovalPolicy(): RemovalPolicy {
    if (this.removalPolicy) return this.removalPolicy;
    const retained = Stack.of(this).node.findAll().some((c) => CfnResource.isCfnResource(c)
      && LIBRARY_RESOURCE_TYPES.has(c.cfnResourceType)
      && c.cfnOptions.deletionPolicy !== undefined && c.cfnOptions.deletionPolicy !== CfnDeletionPolicy.DELETE);
    return retained ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  }

  /** @internal */
  public _applyRemovalPolicy(policy: RemovalPolicy): void {
    this.logs.applyRemovalPolicy(policy);
    this.stagingBucket?.applyRemovalPolicy(policy);
  }

  private applySettings(props: DatasetsProviderProps): void {
    if (this.configured) {
      throw new Error(`[${this.node.path}] DatasetsProvider.configure is called twice for stack ${Stack.of(this).stackName}; ` +
        'configure the stack\'s provider once, with every setting');
    }
    this.configured = true;
    if (props.logRetention !== undefined) {
      (this.logs.node.defaultChild as logs.CfnLogGroup).retentionInDays = props.logRetention === logs.RetentionDays.INFINITE
        ? undefined : props.logRetention;
    }
    this.removalPolicy = props.removalPolicy;
  }

  /**
   * Whether `actions` on `resources` is not granted yet, and records it. Constructs pass their
   * module's constant lists, so a repeated grant is found by identity before any list is compared.
   */
  private isNewGrant(resources: string, actions: readonly string[]): boolean {
    const granted = this.grants.get(resources) ?? [];
    if (granted.some((g) => g === actions || (g.length === actions.length && g.every((a, i) => a === actions[i])))) return false;
    this.grants.set(resources, [...granted, actions]);
    return true;
  }

  private lambdaRole(id: string, description: string): iam.Role {
    const role = new iam.Role(this, id, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cdk-datasets: ${description}`,
    });
    this.logs.grantWrite(role);
    return role;
  }
}

/** Sets the provider's removal policy once the app is complete: it depends on the stack's resources. */
class DefaultRemovalPolicy implements IAspect {
  private applied = false;

  constructor(private readonly provider: DatasetsProvider) {}

  public visit(node: IConstruct): void {
    if (node !== this.provider || this.applied) return;
    this.applied = true;
    this.provider._applyRemovalPolicy(this.provider._effectiveRemovalPolicy());
  }
}

/** The cdk-nag finding for lambda:InvokeFunction on `<function arn>:*`. */
function invokeAnyVersion(fn: IConstruct): string {
  const cfn = (fn as lambda.Function).node.defaultChild as CfnElement;
  return `Resource::<${Stack.of(fn).getLogicalId(cfn)}.Arn>:*`;
}
