/**
 * The order jest starts test files in: the longest first, so that the two workers finish close
 * together. Jest orders by the durations of its last run, kept in its cache; a fresh clone has no
 * cache, and jest then starts the largest files first, which put the scenario suite (a small file,
 * the longest run) last and left one worker alone with it for a minute. Files known to take long
 * start first, longest first; the rest follow in jest's own order.
 */
const Sequencer = require('@jest/test-sequencer').default;

/** Seconds each took on one worker of the 2-core dev machine (only their order matters). */
const LONG_RUNNING = {
  'test/rehearsal/scenarios.test.ts': 60,
  'test/release/package.test.ts': 38,
  'test/rehearsal/emulator.test.ts': 23,
  'test/readme.test.ts': 19,
  'test/lambda/agentcore/emulator.test.ts': 18,
  'test/cli/package.test.ts': 15,
  'test/cli/agreement.test.ts': 14,
  'test/rehearsal/import.test.ts': 11,
  'test/personalize/dataset-import.test.ts': 10,
  'test/nag.test.ts': 9,
};

/**
 * Files that start last: test/lint.test.ts reads the result of checks that started with jest
 * (test/support/background-lint.js), so that it waits as little as possible.
 */
const LAST = ['test/lint.test.ts'];

class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const seconds = (test) => {
      const file = require('path').relative(test.context.config.rootDir, test.path).split('\\').join('/');
      return LAST.includes(file) ? -1 : LONG_RUNNING[file] ?? 0;
    };
    return ordered
      .map((test, index) => ({ test, index }))
      .sort((a, b) => seconds(b.test) - seconds(a.test) || a.index - b.index)
      .map(({ test }) => test);
  }
}

module.exports = LongestFirstSequencer;
