import diagnosticsChannel from 'node:diagnostics_channel';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { isMainThread } from 'node:worker_threads';
import shimmer from 'shimmer';
import { CHANNELS } from './channels';
import type { Exchange } from './exchange';
import { Http1Exchange } from './http1-exchange';
import { installHttp2Capture } from './http2';
import { installRouteInstrumentation } from './routes';

export interface CaptureHooks {
  /** Decides at request start whether to observe; returns the log id, or undefined to leave it alone. */
  begin(req: IncomingMessage, res: ServerResponse): string | undefined;
  /** The response is over (finished, or the client left). */
  complete(exchange: Exchange): void;
  /** Called with our own exceptions; the app never sees them. */
  fail(where: string, err: unknown): void;
  maxBodySize(): number;
  /** The first HTTP server is listening: work that should be ready for its first request can start. */
  listening?(): void;
}

// Per-request state is one symbol-keyed slot on res, set before the app sees it, so every response
// takes the same hidden-class transition at the same point; null marks a request looked at and left
// alone. The slot is written only then: once a framework has run, every access to req or res may be
// a lookup from scratch (see http1-exchange.ts), so the exchange itself records that it is over
// (done). The request body tap finds the exchange through the socket's current response, not a slot
// of the request's own or a WeakMap: measured with callgrind on Express, a property added to the
// IncomingMessage cost about 1.5% more instructions per request, and a WeakMap whose value refers to
// its key about 2% (the garbage collector treats every entry as an ephemeron), where the slot on the
// response cost nothing measurable. Only a pipelined request, whose response waits behind another
// on the socket, gets a slot of its own.
const EXCHANGE = Symbol('readme-metrics.exchange');
type Tagged = { [EXCHANGE]?: Http1Exchange | null };

let hooks: CaptureHooks | undefined;
let inFlight = 0;
// Weak: an app that creates and closes many servers must not have them kept alive by us.
const servers = new Set<WeakRef<http.Server>>();
const knownServers = new WeakSet<object>();
let installed: 'channel' | 'emit' | undefined;

export function installCapture(h: CaptureHooks, mode: 'auto' | 'emit' = 'auto'): 'channel' | 'emit' {
  hooks = h;
  if (installed) return installed;
  patchPrototypes();
  installRouteInstrumentation();
  diagnosticsChannel.subscribe(CHANNELS.serverListening, onServerListening);
  installHttp2Capture(h, observe);
  if (mode === 'auto' && typeof diagnosticsChannel.subscribe === 'function' && hasServerChannel()) {
    diagnosticsChannel.subscribe(CHANNELS.serverRequestStart, onRequestStartMessage);
    installed = 'channel';
  } else {
    // http.Server and https.Server do not inherit from each other: both prototypes need the wrap.
    patchEmit(http.Server.prototype as unknown as EmitterProto);
    patchEmit(https.Server.prototype as unknown as EmitterProto);
    installed = 'emit';
  }
  return installed;
}

function hasServerChannel(): boolean {
  // The channel exists since Node 18.7; probing by version keeps us honest on runtimes that lack it.
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 18 || (major === 18 && minor >= 7);
}

/** Once, for the first HTTP server that listens; a process that never serves (npm, a build) never gets here. */
function onServerListening(message: unknown): void {
  const server = (message as { server?: unknown } | null)?.server;
  if (!isHttpServer(server)) return;
  diagnosticsChannel.unsubscribe(CHANNELS.serverListening, onServerListening);
  try {
    hooks?.listening?.();
  } catch (err) {
    hooks?.fail('server listening', err);
  }
}

function isHttpServer(server: unknown): boolean {
  if (server instanceof http.Server || server instanceof https.Server) return true;
  const name = (server as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return name === 'Http2Server' || name === 'Http2SecureServer';
}

function onRequestStartMessage(message: unknown): void {
  const m = message as { request: IncomingMessage; response: ServerResponse; server?: http.Server };
  observe(m.request, m.response, m.server);
}

function remember(server: http.Server | undefined): void {
  if (!server || knownServers.has(server)) return;
  knownServers.add(server);
  servers.add(new WeakRef(server));
}

/** What shutdown needs: how many exchanges are still open, and the servers we have seen serve. */
export function captureState(): { inFlight: number; servers: http.Server[] } {
  const live: http.Server[] = [];
  for (const ref of servers) {
    const s = ref.deref();
    if (s) live.push(s);
    else servers.delete(ref);
  }
  return { inFlight, servers: live };
}

type EmitterProto = { emit: (...args: unknown[]) => boolean };

function patchEmit(proto: EmitterProto): void {
  shimmer.wrap(proto, 'emit', (original) =>
    function emit(this: unknown, event: unknown, req: unknown, res: unknown) {
      if (event === 'request' || event === 'checkContinue') observe(req as IncomingMessage, res as ServerResponse, this as http.Server);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
}

function observe(req: IncomingMessage, res: ServerResponse, server?: http.Server): void {
  if (!hooks || (res as Tagged)[EXCHANGE] !== undefined) return;
  (res as Tagged)[EXCHANGE] = null;
  try {
    remember(server);
    // Upgrades and tunnels are not request/response exchanges: leave them untouched.
    if (req.method === 'CONNECT') return;
    const id = hooks.begin(req, res);
    if (id === undefined) return;
    // Through the channel this runs before Node gives the response the socket (it queues it when
    // another response holds the socket), through emit after: either way, pipelined means another
    // response holds it now.
    const holder = socketResponse(req);
    const pipelined = holder !== null && holder !== undefined && holder !== res;
    const exchange = new Http1Exchange(id, req, res, hooks.maxBodySize(), pipelined);
    (res as Tagged)[EXCHANGE] = exchange;
    if (pipelined) (req as Tagged)[EXCHANGE] = exchange;
    inFlight++;
  } catch (err) {
    hooks.fail('request start', err);
  }
}

// 'close' is emitted once for every response: after 'finish' when it completed, alone when the client
// left (an aborted response never reaches http.server.response.finish). Seen through the wrapped
// emit rather than a listener per response.
function onResponseClose(res: ServerResponse): void {
  const exchange = (res as Tagged)[EXCHANGE];
  if (!exchange || exchange.done || exchange.closedAt >= 0 || !hooks) return;
  exchange.closedAt = performance.now();
  if (exchange.draining) awaitDrain(exchange);
  else finish(exchange);
}

// In the app's worker threads a response whose request was read whole completes at 'finish', before
// the app's own 'finish' listeners, rather than a tick later at 'close': an app that ends the thread
// from one (worker.terminate() as the job is answered) may leave the thread no further tick (threads.ts).
const COMPLETE_AT_FINISH = !isMainThread;
function onResponseFinish(res: ServerResponse): void {
  const exchange = (res as Tagged)[EXCHANGE];
  if (exchange?.req.complete) onResponseClose(res);
}

// How long a body the app left unread may take to arrive once the response is over.
const DRAIN_MS = 1000;

/**
 * Once the response is over Node reads a body the app left unread so the connection can go on
 * (resOnFinish calls req._dump()), and its parser drops those chunks unseen: the log would hold only
 * what came before, as if whole. Instead the request stays undumped until its body ends: the parser
 * hands the chunks to push(), which gives them to the capture and drops them just as the parser
 * would have: the app gets what it would without us (what was buffered before the dump, if it
 * listens late, and nothing after). The request's own slot finds the exchange once the socket has
 * moved on (requestExchange).
 */
function drainRequestBody(req: IncomingMessage, exchange: Http1Exchange): void {
  if (exchange.done || exchange.draining) return;
  (req as IncomingMessage & { _dumped: boolean })._dumped = false;
  (req as Tagged)[EXCHANGE] = exchange;
  exchange.draining = true;
}

/** The response closed while its request body drains: complete once the body ends, or at DRAIN_MS. */
function awaitDrain(exchange: Http1Exchange): void {
  const req = exchange.req;
  const done = (): void => {
    clearTimeout(timer);
    req.removeListener('end', done);
    req.removeListener('close', done);
    // What has not arrived by now Node drops unseen again; the capture says the body is incomplete.
    exchange.draining = false;
    (req as IncomingMessage & { _dumped: boolean })._dumped = true;
    finish(exchange);
  };
  const timer = setTimeout(done, DRAIN_MS);
  timer.unref();
  req.once('end', done);
  req.once('close', done);
}

function finish(exchange: Http1Exchange): void {
  if (exchange.done || !hooks) return;
  unlinkEnded(exchange);
  exchange.done = true;
  inFlight--;
  try {
    hooks.complete(exchange);
  } catch (err) {
    hooks.fail('response end', err);
  }
}

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Wrapping the prototypes once, instead of each req/res, costs a slot read per call and no
 * per-request closures. push() is where the HTTP parser delivers body chunks, so every way an app
 * reads the body (data, for await, read(), pipe, late reads) is seen, and we never add a listener.
 */
function patchPrototypes(): void {
  shimmer.wrap(IncomingMessage.prototype as unknown as Record<string, AnyFn>, 'push', (original) =>
    function push(this: IncomingMessage, chunk: unknown, encoding?: unknown) {
      // The null that ends every body is not looked up; a chunk read after the response is over
      // belongs to a capture already handed on (its response's slot is cleared).
      const exchange = chunk === null || chunk === undefined ? undefined : requestExchange(this);
      if (exchange) {
        try {
          exchange.addRequestChunk(chunk, encoding);
        } catch (err) {
          hooks?.fail('request body', err);
        }
        // Where Node's parser drops the chunks of a dumped request (see drainRequestBody).
        if (exchange.draining) return true;
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
  shimmer.wrap(IncomingMessage.prototype as unknown as Record<string, AnyFn>, '_dump', (original) =>
    function _dump(this: IncomingMessage) {
      const exchange = this.complete ? undefined : requestExchange(this);
      // eslint-disable-next-line prefer-rest-params
      const result = original.apply(this, arguments as unknown as unknown[]);
      if (exchange) drainRequestBody(this, exchange);
      return result;
    },
  );
  const responseProto = ServerResponse.prototype as unknown as Record<string, AnyFn>;
  shimmer.wrap(responseProto, 'write', (original) =>
    function write(this: ServerResponse, chunk: unknown, encoding?: unknown) {
      const exchange = (this as Tagged)[EXCHANGE];
      if (exchange) tapResponse(exchange, chunk, encoding);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
  // emit is inherited from EventEmitter: ours goes on ServerResponse.prototype alone and defers to
  // whatever the parent's emit is at call time, so a later patch of EventEmitter still applies.
  // Someone else's own emit there (another agent's wrap) is kept and called instead.
  const own = Object.getOwnPropertyDescriptor(ServerResponse.prototype, 'emit')?.value as AnyFn | undefined;
  const parent = Object.getPrototypeOf(ServerResponse.prototype) as { emit: AnyFn };
  Object.defineProperty(ServerResponse.prototype, 'emit', {
    configurable: true,
    writable: true,
    value: function emit(this: ServerResponse, event: unknown) {
      if (event === 'close') onResponseClose(this);
      else if (COMPLETE_AT_FINISH && event === 'finish') onResponseFinish(this);
      // eslint-disable-next-line prefer-rest-params
      return (own ?? parent.emit).apply(this, arguments as unknown as unknown[]);
    },
  });
  shimmer.wrap(responseProto, 'end', (original) =>
    function end(this: ServerResponse, chunk: unknown, encoding?: unknown) {
      const exchange = (this as Tagged)[EXCHANGE];
      if (exchange && !exchange.ended) {
        if (typeof chunk !== 'function') tapResponse(exchange, chunk, encoding);
        if (exchange.socket?.destroyed) exchange.lost = true;
        exchange.ended = true;
        linkEnded(exchange);
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
}

// Responses the app ended whose 'close' has not come yet, as a list threaded through the exchanges
// (no allocation per request): if the process exits in between (process.exit() or a throw right
// after res.end()), 'close' never comes, and exit completes them instead (completeEndedExchanges).
let endedHead: Http1Exchange | null = null;

function linkEnded(exchange: Http1Exchange): void {
  exchange.nextEnded = endedHead;
  if (endedHead) endedHead.prevEnded = exchange;
  endedHead = exchange;
}

function unlinkEnded(exchange: Http1Exchange): void {
  const { prevEnded, nextEnded } = exchange;
  if (prevEnded) prevEnded.nextEnded = nextEnded;
  else if (endedHead === exchange) endedHead = nextEnded;
  if (nextEnded) nextEnded.prevEnded = prevEnded;
  exchange.prevEnded = exchange.nextEnded = null;
}

/** On exit: hands on the captures of responses the app ended, as their 'close' would have. */
export function completeEndedExchanges(): void {
  if (!hooks) return;
  // finish() unlinks each one; unlinking here too keeps the loop finite whatever finish() decides.
  while (endedHead) {
    const exchange = endedHead;
    unlinkEnded(exchange);
    finish(exchange);
  }
}

/** The response a socket is writing now: this request's, unless it is pipelined behind another. */
function socketResponse(req: IncomingMessage): unknown {
  return (req.socket as { _httpMessage?: unknown } | null)?._httpMessage;
}

/** The exchange a request's body belongs to while its response is open. */
function requestExchange(req: IncomingMessage): Http1Exchange | undefined {
  const current = (socketResponse(req) as Tagged | null | undefined)?.[EXCHANGE];
  if (current && current.req === req) return current.done ? undefined : current;
  const own = (req as Tagged)[EXCHANGE];
  return own && !own.done ? own : undefined;
}

/** A chunk the app wrote; once it called end(), Node sends nothing more, so nothing more is captured. */
function tapResponse(exchange: Http1Exchange, chunk: unknown, encoding: unknown): void {
  if (chunk === null || chunk === undefined || exchange.ended || exchange.done) return;
  // The socket is the one Node made (the request's own map), so this read stays cheap.
  if (exchange.socket?.destroyed) exchange.lost = true;
  try {
    exchange.addResponseChunk(chunk, encoding);
  } catch (err) {
    hooks?.fail('response body', err);
  }
}
