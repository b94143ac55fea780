// jest's globalSetup: see background-lint.js.
module.exports = require('./background-lint').globalSetup;
