// jest's globalTeardown: see background-lint.js.
module.exports = require('./background-lint').globalTeardown;
