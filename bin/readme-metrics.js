#!/usr/bin/env node
'use strict';
// The `readme-metrics` command: a launcher into the compiled CLI (dist/cli).
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('readme-metrics: dist/ is missing; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`readme-metrics: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
