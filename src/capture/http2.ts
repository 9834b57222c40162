import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { IncomingMessage, type ServerResponse } from 'node:http';
import shimmer from 'shimmer';
import { Http2Exchange, rawHeaderList } from './http2-exchange';
import { mergePending, StreamRequest, StreamResponse, takePendingHeaders } from './http2-shims';
import type { CaptureHooks } from './observe';

/*
 * HTTP/2 servers (compat and stream APIs). Node 20 publishes no diagnostics channel for them (the
 * http2.server.stream.* channels of Node 22.17+/24 carry no body bytes either), so we wrap
 * prototypes: the servers' emit('stream' / 'request') to decide and begin, and the server stream's
 * push (request body), _write/_writev (response body, once per byte: the compat end() goes through
 * write()) and respond (headers the agent adds). Both APIs share the stream, so one tap serves both.
 * State lives in WeakMaps keyed by the stream; nothing is added to the app's objects.
 */

type AnyFn = (...args: unknown[]) => unknown;
type Stream = ServerHttp2Stream;
type ServerLike = { listenerCount(event: string): number };

const exchanges = new WeakMap<Stream, Http2Exchange>();
/** Streams already looked at (observed or left alone), should 'stream' be emitted twice. */
const decided = new WeakSet<Stream>();
/** Request data between the server's 'stream' and the compat layer's 'request'. */
const arriving = new WeakMap<Stream, { headers: IncomingHttpHeaders; rawHeaders: string[] }>();
const patchedStreamProtos = new WeakSet<object>();

let hooks: CaptureHooks | undefined;
let http1: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
let installed = false;

/**
 * `observeHttp1`, when given, receives the HTTP/1 requests an `allowHTTP1` server emits: the
 * http.server.request.start channel already covers them, but the emit-patching fallback does not.
 */
export function installHttp2Capture(h: CaptureHooks, observeHttp1?: (req: IncomingMessage, res: ServerResponse) => void): void {
  hooks = h;
  http1 = observeHttp1;
  if (installed) return;
  installed = true;
  try {
    // The server classes are not exported; a throwaway instance (never listening) shows the prototype.
    patchServer(Object.getPrototypeOf(http2.createServer()));
    patchServer(Object.getPrototypeOf(http2.createSecureServer()));
  } catch (err) {
    h.fail('http2 setup', err);
  }
}

function patchServer(proto: Record<string, AnyFn>): void {
  shimmer.wrap(proto, 'emit', (original) =>
    function emit(this: ServerLike, event: unknown, a: unknown, b: unknown, _c: unknown, d: unknown) {
      if (event === 'stream' && hooks && onStream(this, a as Stream, b as IncomingHttpHeaders, d)) {
        try {
          // eslint-disable-next-line prefer-rest-params
          return original.apply(this, arguments as unknown as unknown[]);
        } finally {
          arriving.delete(a as Stream);
        }
      }
      if (event === 'request' || event === 'checkContinue') {
        if (a instanceof http2.Http2ServerRequest) onCompatRequest(a, b);
        else if (http1 && a instanceof IncomingMessage) http1(a, b as ServerResponse);
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
}

/** Returns true when the compat layer will emit 'request' for this stream (it begins there). */
function onStream(server: ServerLike, stream: Stream, headers: IncomingHttpHeaders, raw: unknown): boolean {
  if (!hooks || decided.has(stream)) return false;
  decided.add(stream);
  try {
    // Patched on the first stream, in time for its body: Node reads a stream's DATA only once
    // something reads the stream, which nothing can do before 'stream' is emitted.
    patchStreamProto(Object.getPrototypeOf(stream));
    if (!headers || typeof headers !== 'object') return false;
    // Tunnels and gRPC are not request/response exchanges we can log faithfully: leave them alone.
    if (headers[':method'] === 'CONNECT') return false;
    if (/^application\/grpc/i.test(String(headers['content-type'] ?? ''))) return false;
    const rawHeaders = rawHeaderList(raw, headers);
    if (server.listenerCount('request') > 0) {
      arriving.set(stream, { headers, rawHeaders });
      return true;
    }
    begin(stream, new StreamRequest(stream, headers, rawHeaders), new StreamResponse(stream), headers, rawHeaders);
  } catch (err) {
    hooks.fail('http2 stream start', err);
  }
  return false;
}

function onCompatRequest(req: http2.Http2ServerRequest, res: unknown): void {
  try {
    const stream = req.stream;
    const start = stream && arriving.get(stream);
    if (!start || exchanges.has(stream)) return;
    arriving.delete(stream);
    begin(stream, req, res as object, start.headers, start.rawHeaders);
  } catch (err) {
    hooks?.fail('http2 request start', err);
  }
}

function begin(stream: Stream, req: object, res: object, headers: IncomingHttpHeaders, rawHeaders: string[]): void {
  if (!hooks) return;
  const id = hooks.begin(req as IncomingMessage, res as ServerResponse);
  if (id === undefined) return;
  exchanges.set(stream, new Http2Exchange(id, req, res, hooks.maxBodySize(), stream, headers, rawHeaders));
  stream.on('close', onStreamClose);
}

function onStreamClose(this: Stream): void {
  const exchange = exchanges.get(this);
  if (!exchange || !hooks) return;
  exchanges.delete(this);
  try {
    hooks.complete(exchange);
  } catch (err) {
    hooks.fail('http2 response end', err);
  }
}

function patchStreamProto(proto: Record<string, AnyFn> | null): void {
  if (!proto || patchedStreamProtos.has(proto) || typeof proto.respond !== 'function') return;
  patchedStreamProtos.add(proto);

  shimmer.wrap(proto, 'push', (original) =>
    function push(this: Stream, chunk: unknown, encoding?: unknown) {
      if (chunk !== null && chunk !== undefined) tapRequest(this, chunk, encoding);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
  shimmer.wrap(proto, '_write', (original) =>
    function _write(this: Stream, chunk: unknown, encoding: unknown) {
      tapResponse(this, chunk, encoding);
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
  shimmer.wrap(proto, '_writev', (original) =>
    function _writev(this: Stream, chunks: unknown) {
      if (Array.isArray(chunks)) {
        for (const c of chunks) {
          if (c !== null && typeof c === 'object' && 'chunk' in c) tapResponse(this, (c as { chunk: unknown }).chunk, (c as { encoding?: unknown }).encoding);
          else tapResponse(this, c, undefined);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return original.apply(this, arguments as unknown as unknown[]);
    },
  );
  // respond(headers), respondWithFD(fd, headers), respondWithFile(path, headers)
  for (const [name, at] of [
    ['respond', 0],
    ['respondWithFD', 1],
    ['respondWithFile', 1],
  ] as const) {
    if (typeof proto[name] !== 'function') continue;
    shimmer.wrap(proto, name, (original) =>
      function respond(this: Stream) {
        const extra = exchanges.has(this) ? takePendingHeaders(this) : undefined;
        // eslint-disable-next-line prefer-rest-params
        if (!extra) return original.apply(this, arguments as unknown as unknown[]);
        // eslint-disable-next-line prefer-rest-params
        const args = Array.prototype.slice.call(arguments) as unknown[];
        args[at] = mergePending(args[at], extra);
        return original.apply(this, args);
      },
    );
  }
}

function tapRequest(stream: Stream, chunk: unknown, encoding: unknown): void {
  const exchange = exchanges.get(stream);
  if (!exchange) return;
  try {
    exchange.addRequestChunk(chunk, encoding);
  } catch (err) {
    hooks?.fail('http2 request body', err);
  }
}

function tapResponse(stream: Stream, chunk: unknown, encoding: unknown): void {
  const exchange = exchanges.get(stream);
  if (!exchange || chunk === null || chunk === undefined) return;
  try {
    exchange.addResponseChunk(chunk, encoding);
  } catch (err) {
    hooks?.fail('http2 response body', err);
  }
}
