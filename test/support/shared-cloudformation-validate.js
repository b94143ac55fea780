/**
 * aws-cdk-lib's CloudFormation validation engine (`@aws/cloudformation-validate`, a 9 MB
 * WebAssembly module), as one instance per jest worker instead of one per test file: the test
 * environment (quiet-environment.js) loads it once per worker and hands it to each file through a
 * global. Its first engine costs a few seconds of WebAssembly start-up, paid once per worker now.
 */
module.exports = globalThis.__cdkDatasetsCloudFormationValidate;
