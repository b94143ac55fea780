import { CfnDeletionPolicy, CfnResource, CustomResource, Duration, IResolvable, RemovalPolicy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { TagRules, throwIfInvalid, validateTags, validateTimeout } from './validation';
import {
  attributeNames, DEFAULT_WAIT_TIMEOUT_SECONDS, OperationalProperties, Properties, RESOURCES, ResourceName, SERVICE_TIMEOUT_SECONDS,
} from '../contract';
import { DatasetsProvider } from '../provider';

/** A Duration is immutable: made once rather than for every resource. */
const SERVICE_TIMEOUT = Duration.seconds(SERVICE_TIMEOUT_SECONDS);

export interface DatasetResourceOptions<R extends ResourceName> {
  /** The contract's name of the resource type. */
  readonly resource: R;
  /** The resource's own properties, in the contract's shape (undefined ones are left out). */
  readonly properties: Omit<Properties<R>, keyof OperationalProperties>;
  readonly removalPolicy: RemovalPolicy;
  /** The construct's tags; absent for a resource type that cannot be tagged. */
  readonly tags?: { readonly manager: TagManager; readonly rules: TagRules };
  readonly waitTimeout?: Duration;
  /** @default the contract's DEFAULT_WAIT_TIMEOUT_SECONDS */
  readonly defaultWaitTimeout?: Duration;
}

/**
 * The one way every construct of the library adds its custom resource: through the stack's shared
 * provider, with the construct's tags and wait bound, its properties rendered as the contract says.
 * Returns the custom resource and its attribute names.
 */
export function addDatasetResource<R extends ResourceName>(scope: Construct, options: DatasetResourceOptions<R>) {
  throwIfInvalid(scope, validateTimeout(options.waitTimeout));
  const provider = DatasetsProvider.of(scope);
  const spec = RESOURCES[options.resource];
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.properties as Record<string, unknown>)) {
    if (value === undefined) continue;
    const kind = (spec.properties as Record<string, string>)[key];
    // A JSON document travels as its text: CloudFormation passes properties as strings.
    properties[key] = kind?.startsWith('json') ? Stack.of(scope).toJsonString(value) : value;
  }
  const tags = options.tags;
  const waitTimeout = options.waitTimeout ?? options.defaultWaitTimeout;
  const resource = new CustomResource(scope, 'Resource', {
    serviceToken: provider._serviceTokenInStack,
    resourceType: spec.type,
    properties: {
      ...properties,
      ...(tags ? { Tags: new RenderedTags(tags.manager) } : {}),
      WaitTimeoutSeconds: waitTimeout?.toSeconds() ?? DEFAULT_WAIT_TIMEOUT_SECONDS,
    },
    serviceTimeout: SERVICE_TIMEOUT,
    removalPolicy: options.removalPolicy,
  });
  if (tags) {
    // Tags arrive through Aspects, so they can only be checked once synthesis has applied them.
    scope.node.addValidation({ validate: () => (tags.manager.hasTags() ? validateTags(renderedTags(tags.manager), tags.rules) : []) });
  }
  return { resource, provider, attributes: attributeNames(options.resource) };
}

/**
 * A resource's Tags property: its tag manager's tags, rendered at the first resolution (by then
 * synthesis has applied the Tags aspects), and left out when there are none. What
 * `Lazy.any({ produce: () => manager.renderTags() }, { omitEmptyArray: true })` renders, without a
 * producer, a box and their checks for every resource, and without rendering a manager that holds
 * no tags.
 */
class RenderedTags implements IResolvable {
  private static readonly NO_CREATION_STACK: string[] = [];
  private rendered?: { readonly tags: unknown };

  constructor(private readonly manager: TagManager) {}

  public get creationStack(): string[] {
    return RenderedTags.NO_CREATION_STACK;
  }

  public resolve(): unknown {
    this.rendered ??= { tags: this.manager.hasTags() ? this.manager.renderTags() : undefined };
    const tags = this.rendered.tags;
    return Array.isArray(tags) && tags.length === 0 ? undefined : tags;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

export function newTagManager(resource: ResourceName): TagManager {
  return new TagManager(TagType.KEY_VALUE, RESOURCES[resource].type);
}

function renderedTags(tags: TagManager): Array<{ key: string; value: string }> {
  const rendered: Array<{ Key: string; Value: string }> = tags.renderTags() ?? [];
  return rendered.map((t) => ({ key: t.Key, value: t.Value }));
}

/**
 * Whether a construct's custom resource (its `Resource` child) is kept when deleted, as removal
 * policies and aspects have left it; undefined for a construct without one (an imported resource).
 */
export function retainedOnDelete(scope: IConstruct): boolean | undefined {
  const cfn = scope.node.tryFindChild('Resource')?.node.defaultChild;
  if (!cfn || !CfnResource.isCfnResource(cfn)) return undefined;
  const policy = cfn.cfnOptions.deletionPolicy;
  return policy !== undefined && policy !== CfnDeletionPolicy.DELETE;
}
