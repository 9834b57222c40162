'use strict';
// The `express+hooks` row's preload: the hooks a zero-code capture of HTTP/1 cannot do without, as
// readme-metrics installs them (src/capture/observe.ts), and nothing else. It sees every request start
// (the diagnostics channel), every request body chunk (IncomingMessage#push), every response chunk
// (ServerResponse#write and #end) and every response's end ('close'), and keeps nothing but a count
// of the chunks it saw: no id, no header, no body, no clock, no handoff. What this row costs is the least any SDK of this kind pays
// per request before it keeps a single byte; the gap between it and `express+sdk` is what capturing,
// packing and handing off cost.
const diagnosticsChannel = require('node:diagnostics_channel');
const { IncomingMessage, ServerResponse } = require('node:http');

const SLOT = Symbol('hooks-floor.exchange');

class Seen {
  constructor(req) {
    this.req = req;
    this.ended = false;
    this.done = false;
    this.chunks = 0;
  }
}

diagnosticsChannel.subscribe('http.server.request.start', ({ request, response }) => {
  if (response[SLOT] === undefined) response[SLOT] = new Seen(request);
});

const push = IncomingMessage.prototype.push;
IncomingMessage.prototype.push = function (chunk) {
  if (chunk !== null && chunk !== undefined) {
    const seen = this.socket?._httpMessage?.[SLOT];
    if (seen && seen.req === this && !seen.done) seen.chunks++;
  }
  return push.apply(this, arguments);
};

const write = ServerResponse.prototype.write;
ServerResponse.prototype.write = function () {
  const seen = this[SLOT];
  if (seen && !seen.ended) seen.chunks++;
  return write.apply(this, arguments);
};

const end = ServerResponse.prototype.end;
ServerResponse.prototype.end = function (chunk) {
  const seen = this[SLOT];
  if (seen && !seen.ended) {
    // Like observe.ts, the chunk end() carries is seen too (unless it is the callback).
    if (chunk !== null && chunk !== undefined && typeof chunk !== 'function') seen.chunks++;
    seen.ended = true;
  }
  return end.apply(this, arguments);
};

const parent = Object.getPrototypeOf(ServerResponse.prototype);
ServerResponse.prototype.emit = function (event) {
  if (event === 'close') {
    const seen = this[SLOT];
    if (seen && !seen.done) seen.done = true;
  }
  return parent.emit.apply(this, arguments);
};
