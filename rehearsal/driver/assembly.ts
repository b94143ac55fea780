/**
 * Reading a stack out of a cloud assembly, and finding a Lambda function's code in it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Stack } from 'aws-cdk-lib';
import type { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { UnsupportedError } from './intrinsics';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { Type: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

/**
 * Where a stack comes from: an assembly directory, a CloudAssembly, a stack artifact, a CDK Stack
 * (synthesized on demand), or a template already read (which needs no aws-cdk-lib).
 */
export type StackSource = string | CloudAssembly | CloudFormationStackArtifact | Stack | LoadedStack;

export interface LoadedStack {
  readonly stackName: string;
  readonly template: Template;
  /** The assembly directory the template's asset paths are relative to. */
  readonly directory: string;
}

export function loadStack(source: StackSource, stackName?: string): LoadedStack {
  if (isLoadedStack(source)) return { ...source, template: JSON.parse(JSON.stringify(source.template)) };
  const artifact = stackArtifact(source, stackName);
  return {
    stackName: artifact.stackName,
    // A private copy: the driver keeps old templates around for rollback and cleanup.
    template: JSON.parse(JSON.stringify(artifact.template)),
    directory: artifact.assembly.directory,
  };
}

function isLoadedStack(source: StackSource): source is LoadedStack {
  return typeof source === 'object' && 'template' in source && 'directory' in source && typeof source.stackName === 'string'
    && typeof (source as { template: unknown }).template === 'object';
}

function stackArtifact(source: Exclude<StackSource, LoadedStack>, stackName?: string): CloudFormationStackArtifact {
  // Loaded only for the sources that need it: a template already read is enough for the cdk-datasets command.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Stack, Stage } = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { CloudAssembly, CloudFormationStackArtifact } = require('aws-cdk-lib/cx-api') as typeof import('aws-cdk-lib/cx-api');
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (Stack.isStack(source)) {
    const stage = Stage.of(source);
    if (!stage) throw new Error(`stack ${source.stackName} is not in an App or Stage`);
    return stage.synth().getStackArtifact(source.artifactId);
  }
  if (CloudFormationStackArtifact.isCloudFormationStackArtifact(source)) return source;
  const assembly = typeof source === 'string' ? new CloudAssembly(source) : source;
  const stacks = assembly.stacksRecursively;
  if (stackName === undefined) {
    if (stacks.length !== 1) {
      throw new Error(`the assembly in ${assembly.directory} has ${stacks.length} stacks (${stacks.map((s) => s.stackName).join(', ')}): name one`);
    }
    return stacks[0];
  }
  const found = stacks.find((s) => s.stackName === stackName) ?? stacks.find((s) => s.id === stackName || s.hierarchicalId === stackName);
  if (!found) throw new Error(`no stack ${stackName} in ${assembly.directory} (it has ${stacks.map((s) => s.stackName).join(', ')})`);
  return found;
}

/**
 * The directory holding a Lambda function's code: from the `aws:asset:path` metadata when the
 * assembly was synthesized with asset metadata, otherwise from the asset manifests, matching the
 * function's (resolved) S3Key against each file asset's object key.
 */
export function functionAssetDirectory(stack: LoadedStack, logicalId: string, definition: TemplateResource, code: any): string {
  const metadataPath = definition.Metadata?.['aws:asset:path'];
  let found: string | undefined;
  if (typeof metadataPath === 'string') {
    found = path.resolve(stack.directory, metadataPath);
  } else if (code && typeof code.S3Key === 'string') {
    found = assetByObjectKey(stack.directory, code.S3Key);
  } else if (code?.ZipFile !== undefined) {
    throw new UnsupportedError(`${logicalId}: inline code (Code.ZipFile) is not supported; use an asset`);
  }
  if (!found) throw new UnsupportedError(`${logicalId}: cannot find the code asset in ${stack.directory}`);
  if (!fs.existsSync(found) || !fs.statSync(found).isDirectory()) {
    throw new UnsupportedError(`${logicalId}: the code asset ${found} is not a directory (zip file assets are not supported)`);
  }
  return found;
}

function assetByObjectKey(directory: string, objectKey: string): string | undefined {
  for (const file of fs.readdirSync(directory).filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
    for (const asset of Object.values<any>(manifest.files ?? {})) {
      const destinations = Object.values<any>(asset.destinations ?? {});
      if (destinations.some((d) => d.objectKey === objectKey)) return path.resolve(directory, asset.source.path);
    }
  }
  return undefined;
}
