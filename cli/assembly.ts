/**
 * Reading what `cdk synth` wrote, without aws-cdk-lib: the stacks of a cloud assembly (nested
 * assemblies of stages included), or one template file; and the file assets the assembly stages.
 * Nothing is written: the user's cdk.out is only read.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LoadedStack, Template } from '../rehearsal/driver';

/** One stack as synthesized. */
export interface SynthesizedStack extends LoadedStack {
  /** The artifact id in the assembly (the stack's construct id), or the template file's name. */
  readonly artifactId: string;
  /** The account and region the stack is bound to, when it is (`aws://<account>/<region>`). */
  readonly account?: string;
  readonly region?: string;
}

/** A file asset: where its file is, and the S3 objects it is published to. */
export interface FileAsset {
  readonly file: string;
  /** s3 uris, with `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` as the manifest has them. */
  readonly destinations: readonly string[];
}

const STACK_ARTIFACT = 'aws:cloudformation:stack';
const NESTED_ASSEMBLY = 'cdk:cloud-assembly';
const UNKNOWN = /^unknown-/;

/** The stacks of a cloud assembly directory, or the one stack of a template file. */
export function readStacks(location: string): SynthesizedStack[] {
  if (!fs.existsSync(location)) {
    throw new UsageError(`${location} does not exist: give a cloud assembly directory (what \`cdk synth -o DIR\` writes) or a template file`);
  }
  if (fs.statSync(location).isDirectory()) return readAssembly(location);
  if (path.basename(location) === 'manifest.json') return readAssembly(path.dirname(location));
  let template: Template;
  try {
    template = JSON.parse(fs.readFileSync(location, 'utf8'));
  } catch (error) {
    throw new UsageError(`${location} is not a JSON template: ${(error as Error).message}`);
  }
  if (!template || typeof template.Resources !== 'object') throw new UsageError(`${location} is not a CloudFormation template (no Resources)`);
  const name = path.basename(location).replace(/(\.template)?\.json$/, '');
  return [{ stackName: name, artifactId: name, template, directory: path.dirname(path.resolve(location)) }];
}

function readAssembly(directory: string): SynthesizedStack[] {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new UsageError(`${directory} is not a cloud assembly (it has no manifest.json): run \`cdk synth -o ${directory}\` first`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const stacks: SynthesizedStack[] = [];
  for (const [artifactId, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === NESTED_ASSEMBLY) {
      stacks.push(...readAssembly(path.join(directory, artifact.properties.directoryName)));
    } else if (artifact.type === STACK_ARTIFACT) {
      const template = JSON.parse(fs.readFileSync(path.join(directory, artifact.properties.templateFile), 'utf8'));
      const [, account, region] = /^aws:\/\/([^/]*)\/(.*)$/.exec(artifact.environment ?? '') ?? [];
      stacks.push({
        stackName: artifact.properties.stackName ?? artifact.displayName ?? artifactId,
        artifactId,
        template,
        directory: path.resolve(directory),
        account: account && !UNKNOWN.test(account) ? account : undefined,
        region: region && !UNKNOWN.test(region) ? region : undefined,
      });
    }
  }
  return stacks;
}

/** Every file asset (not a directory, not a zip) of the assembly, nested ones included. */
export function readFileAssets(directory: string): FileAsset[] {
  const assets: FileAsset[] = [];
  if (!fs.existsSync(path.join(directory, 'manifest.json'))) return assets;
  const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'manifest.json'), 'utf8'));
  for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
    if (artifact.type === NESTED_ASSEMBLY) assets.push(...readFileAssets(path.join(directory, artifact.properties.directoryName)));
    if (artifact.type !== 'cdk:asset-manifest') continue;
    const assetManifest = JSON.parse(fs.readFileSync(path.join(directory, artifact.properties.file), 'utf8'));
    for (const asset of Object.values<any>(assetManifest.files ?? {})) {
      const file = path.join(directory, asset.source?.path ?? '');
      if (!asset.source?.path || asset.source.packaging === 'zip' || !fs.existsSync(file) || !fs.statSync(file).isFile()) continue;
      assets.push({
        file,
        destinations: Object.values<any>(asset.destinations ?? {}).map((d) => `s3://${d.bucketName}/${d.objectKey}`),
      });
    }
  }
  return assets;
}

/** A mistake in how the command was called: reported without a stack trace, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
