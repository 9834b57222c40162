'use strict';
// The preload: `node --require readme-metrics/register app.js` or `--import readme-metrics/register`.
// CommonJS on purpose: `--import` of a CommonJS file works too, and it runs before the app's first line.
require('./dist/register.js');
