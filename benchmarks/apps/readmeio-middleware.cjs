'use strict';
// The official SDK as its docs wire it into Express: `readme.log(apiKey, req, res, group, options)`
// from a middleware. It reads README_METRICS_SERVER itself; its base-URL lookup host is a constant in
// its config module, so we point that at the local collector too (nothing may leave the machine).
const readme = require('readmeio');
const readmeConfig = require('readmeio/dist/src/config');

module.exports = function readmeioMiddleware() {
  const apiKey = process.env.README_API_KEY;
  if (process.env.README_API_URL) readmeConfig.readmeApiUrl = process.env.README_API_URL;
  const options = {};
  // Unset means the SDK's own default (bufferLength 1 in readmeio 6).
  if (process.env.BENCH_READMEIO_BUFFER) options.bufferLength = Number(process.env.BENCH_READMEIO_BUFFER);
  return (req, res, next) => {
    const key = req.get('x-api-key') || 'anonymous';
    readme.log(apiKey, req, res, { apiKey: key, label: `Key ending in ${key.slice(-4)}`, email: 'owlbert@example.com' }, options);
    next();
  };
};
