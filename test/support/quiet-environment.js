/**
 * The test environment: Node's, with what a test prints (the handlers' log lines, above all) held
 * back and shown only when that test fails. CDK_DATASETS_TEST_LOGS=1 prints everything as it comes.
 * Output outside a test (a suite's summary in afterAll) is printed as usual. The SDK's notice that
 * Node.js 20 support ends is turned off unless logs are asked for.
 */
const { TestEnvironment } = require('jest-environment-node');

const LEVELS = ['log', 'info', 'warn', 'error', 'debug'];
const verbose = process.env.CDK_DATASETS_TEST_LOGS === '1';
if (!verbose) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

class QuietEnvironment extends TestEnvironment {
  held = [];
  originals = undefined;

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
