'use strict';
// The bench's control route, shared by the fixture apps. It lives under /__bench/ so the runner can
// leave its own log out of the delivery count, and it is answered before any app middleware runs.
const path = require('node:path');

const counter = { served: 0 };

// Only instrumented runs load the SDK's public API: a baseline must not pay for it.
function sdkStats() {
  if (process.env.BENCH_SDK_STATS !== '1') return undefined;
  try {
    return require(path.join(__dirname, '..', '..', 'dist', 'index.js')).getStats();
  } catch (err) {
    return { error: String(err && err.message) };
  }
}

function isControl(url) {
  return typeof url === 'string' && url.startsWith('/__bench/');
}

function answerControl(req, res) {
  const body = JSON.stringify({ served: counter.served, pid: process.pid, sdk: sdkStats() });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listen(server) {
  server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
  // The runner ends us with SIGTERM; exit at once so a round never waits on keep-alive sockets.
  process.on('SIGTERM', () => process.exit(0));
}

module.exports = { counter, isControl, answerControl, listen };
