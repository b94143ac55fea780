import * as path from 'path';
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, nagTextOf } from './nag';

/** A service whose resources one handler bundle (assets/<asset>/index.js) manages. */
export interface HandlerService {
  /** Construct id suffix and asset directory, e.g. `personalize`. */
  readonly asset: string;
  /** Used in descriptions, e.g. `Amazon Personalize`. */
  readonly title: string;
}

export const PERSONALIZE: HandlerService = { asset: 'personalize', title: 'Amazon Personalize' };
export const AGENTCORE: HandlerService = { asset: 'agentcore', title: 'Amazon Bedrock AgentCore' };

/**
 * How often the Provider framework calls isComplete. One status call per poll, so the wait ends at
 * most this long after the resource turns ACTIVE, at 60 status calls per minute at the most.
 */
export const QUERY_INTERVAL = Duration.seconds(1);
/** The Provider framework's ceiling. Each resource enforces its own, lower, waitTimeout. */
export const TOTAL_TIMEOUT = Duration.hours(1);

/**
 * The handler functions and Provider for one service, made once per stack and shared by every
 * construct of that service in the stack. Adding a construct adds a custom resource and, where
 * needed, IAM statements on the shared handler role; never another set of functions.
 */
export class DatasetsProvider extends Construct {
  /** Finds the stack's provider for the service, or makes it. */
  public static of(scope: Construct, service: HandlerService): DatasetsProvider {
    const stack = Stack.of(scope);
    const id = `CdkDatasets${service.title.replace(/[^a-zA-Z]/g, '')}Provider`;
    return (stack.node.tryFindChild(id) as DatasetsProvider | undefined) ?? new DatasetsProvider(stack, id, service);
  }

  public readonly serviceToken: string;
  public readonly service: HandlerService;
  /** The role both handler functions run with: grant it what the resources' calls need. */
  public readonly handlerRole: iam.Role;
  private readonly resourceTypeGrants = new Set<string>();

  private constructor(scope: Construct, id: string, service: HandlerService) {
    super(scope, id);
    this.service = service;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });

    // Our own roles rather than AWSLambdaBasicExecutionRole: only the writes to our log group.
    this.handlerRole = this.lambdaRole('HandlerRole', logGroup, `Runs the ${service.title} dataset handlers`);
    const code = lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', service.asset));
    const handlerFunction = (name: string, handler: string, timeout: Duration) => new lambda.Function(this, name, {
      code,
      handler,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout,
      role: this.handlerRole,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: `cdk-datasets: ${service.title} resources, ${handler.split('.')[1]}`,
    });
    // onEvent may sit in the SDK's retry backoff while the service throttles; isComplete makes one status call.
    const onEvent = handlerFunction('OnEvent', 'index.onEvent', Duration.minutes(5));
    const isComplete = handlerFunction('IsComplete', 'index.isComplete', Duration.minutes(1));

    const frameworkOnEventRole = this.lambdaRole('FrameworkOnEventRole', logGroup, 'Runs the Provider framework onEvent');
    const frameworkWaiterRole = this.lambdaRole('FrameworkWaiterRole', logGroup, 'Runs the Provider framework waiter');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup,
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole: frameworkWaiterRole,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.serviceToken = provider.serviceToken;

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
  }

  /**
   * Lets the handler call `actions` on this account and region's resources of one type. Names are
   * generated at deploy time, so the ARN ends in a wildcard; the finding is acknowledged for that ARN.
   */
  public grantHandlerOnResourceType(service: string, resourceType: string, actions: string[]): void {
    const key = `${service}:${resourceType}:${actions.join(',')}`;
    if (this.resourceTypeGrants.has(key)) return; // once per stack, however many instances
    this.resourceTypeGrants.add(key);
    const arn = Stack.of(this).formatArn({ service, resource: resourceType, resourceName: '*' });
    this.handlerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [arn] }));
    acknowledge(this.handlerRole, [`Resource::${nagTextOf(this, arn)}`],
      `Names of ${service} ${resourceType} resources are generated at deploy time, so the handler may act on any ` +
      'of this account and region; it only acts on resources the stack created (ownership tag).');
  }

  /** Adds a statement to the handler role (identical statements are merged by IAM policy rendering). */
  public grantHandler(statement: iam.PolicyStatement): void {
    this.handlerRole.addToPrincipalPolicy(statement);
  }

  private lambdaRole(id: string, logGroup: logs.ILogGroup, description: string): iam.Role {
    const role = new iam.Role(this, id, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cdk-datasets: ${description}`,
    });
    logGroup.grantWrite(role);
    return role;
  }
}

/** The cdk-nag finding for lambda:InvokeFunction on `<function arn>:*`. */
function invokeAnyVersion(fn: IConstruct): string {
  const cfn = (fn as lambda.Function).node.defaultChild as CfnElement;
  return `Resource::<${Stack.of(fn).getLogicalId(cfn)}.Arn>:*`;
}
