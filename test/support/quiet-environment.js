/**
 * The test environment: Node's, with what a test prints (the handlers' log lines, above all) held
 * back and shown only when that test fails. CDK_DATASETS_TEST_LOGS=1 prints everything as it comes.
 * Output outside a test (a suite's summary in afterAll) is printed as usual. The SDK's notice that
 * Node.js 20 support ends is turned off unless logs are asked for.
 *
 * Each test file has a temporary directory of its own, removed when the file ends: TMPDIR for the
 * file's time (jest runs one file at a time in a worker), so that aws-cdk-lib's cdk.out directories
 * of apps without an outdir, the tests' own and their child processes' go there. Without it, a run
 * left about 400 directories (200 MB of handler asset copies) in the system's.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

const LEVELS = ['log', 'info', 'warn', 'error', 'debug'];
const verbose = process.env.CDK_DATASETS_TEST_LOGS === '1';
if (!verbose) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * See shared-cloudformation-validate.js: the module loaded once per worker, on first use, and its
 * engines kept for the worker's life, one per configuration (the rules aws-cdk-lib picks for a
 * template's resource types): a test file asking for an engine another file already made gets
 * that one, as aws-cdk-lib itself reuses its engine while resource types stay within its rules.
 * Each test file runs in a realm of its own and the engine accepts only plain objects of its own
 * realm: configurations and options cross over as JSON.
 */
const MAX_ENGINES = 16;
let cloudFormationValidate;
function sharedCloudFormationValidate() {
  if (cloudFormationValidate) return cloudFormationValidate;
  const cdk = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const validate = require(require.resolve('@aws/cloudformation-validate', { paths: [cdk] }));
  const plain = (value) => (value === undefined ? value : JSON.parse(JSON.stringify(value)));
  const engines = new Map();
  function CompositeEngine(config) {
    const key = JSON.stringify(config ?? null);
    let engine = engines.get(key);
    if (engine) {
      engines.delete(key);
    } else {
      engine = new validate.CompositeEngine(plain(config));
      if (engines.size >= MAX_ENGINES) {
        const [oldest, evicted] = engines.entries().next().value;
        engines.delete(oldest);
        evicted.free();
      }
    }
    engines.set(key, engine);
    return {
      validateTemplate: (template, options) => engine.validateTemplate(template, plain(options)),
      // Kept for the next file that asks for the same rules; evicted engines are freed.
      free: () => undefined,
    };
  }
  cloudFormationValidate = { ...validate, CompositeEngine };
  return cloudFormationValidate;
}

class QuietEnvironment extends TestEnvironment {
  held = [];
  originals = undefined;

  constructor(config, context) {
    super(config, context);
    Object.defineProperty(this.global, '__cdkDatasetsCloudFormationValidate', { get: sharedCloudFormationValidate, configurable: true });
  }

  async setup() {
    this.tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-datasets-test-'));
    this.systemTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = this.tmpdir;
    // The file's own process.env is a copy made before setup: child processes given {...process.env} use it.
    this.global.process.env.TMPDIR = this.tmpdir;
    await super.setup();
  }

  async teardown() {
    await super.teardown();
    if (this.systemTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.systemTmpdir;
    fs.rmSync(this.tmpdir, { recursive: true, force: true });
  }

  async handleTestEvent(event) {
    if (verbose) return;
    if (event.name === 'test_start') this.hold();
    if (event.name === 'test_done') this.release(event.test.errors.length > 0);
  }

  hold() {
    const console = this.global.console;
    this.originals = Object.fromEntries(LEVELS.map((level) => [level, console[level]]));
    this.held = [];
    for (const level of LEVELS) console[level] = (...args) => this.held.push([level, args]);
  }

  release(failed) {
    if (!this.originals) return;
    const console = this.global.console;
    for (const level of LEVELS) console[level] = this.originals[level];
    this.originals = undefined;
    if (failed) for (const [level, args] of this.held) console[level](...args);
    this.held = [];
  }
}

module.exports = QuietEnvironment;
