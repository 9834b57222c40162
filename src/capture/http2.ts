import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import shimmer from 'shimmer';
import { BodyTap } from './body-tap';
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
/** Streams we have looked at (observed or left alone): no early taps for them. */
const decided = new WeakSet<Stream>();
/** Body bytes pushed before the server emitted 'stream' (same tick as the headers). */
const early = new WeakMap<Stream, BodyTap>();
/** Request data between the server's 'stream' and the compat layer's 'request'. */
const arriving = new WeakMap<Stream, { headers: IncomingHttpHeaders; rawHeaders: string[] }>();
const patchedStreamProtos = new WeakSet<object>();

let hooks: CaptureHooks | undefined;
let installed = false;

export function installHttp2Capture(h: CaptureHooks): void {
  hooks = h;
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
      if (event === 'stream' && hooks) {
        const stream = a as Stream;
        const compat = onStream(this, stream, b as IncomingHttpHeaders, d);
        if (!compat) {
          // eslint-disable-next-line prefer-rest-params
          return original.apply(this, arguments as unknown as unknown[]);
        }
        try {
          // eslint-disable-next-line prefer-rest-params
          return original.apply(this, arguments as unknown as unknown[]);
        } finally {
          arriving.delete(stream);
        }
      }
      if ((event === 'request' || event === 'checkContinue') && a instanceof http2.Http2ServerRequest) onCompatRequest(a, b);
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
    patchStreamProto(Object.getPrototypeOf(stream));
    if (!headers || typeof headers !== 'object') return false;
    // Tunnels and gRPC are not request/response exchanges we can log faithfully: leave them alone.
    if (headers[':method'] === 'CONNECT') return dropEarly(stream);
    if (/^application\/grpc/i.test(String(headers['content-type'] ?? ''))) return dropEarly(stream);
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
  if (id === undefined) return void dropEarly(stream);
  const exchange = new Http2Exchange(id, req, res, hooks.maxBodySize(), stream, headers, rawHeaders);
  adoptEarly(stream, exchange);
  exchanges.set(stream, exchange);
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

function dropEarly(stream: Stream): false {
  early.delete(stream);
  return false;
}

function adoptEarly(stream: Stream, exchange: Http2Exchange): void {
  const tap = early.get(stream);
  if (!tap) {
    for (const chunk of bufferedChunks(stream)) exchange.requestBody.add(chunk);
    return;
  }
  early.delete(stream);
  const bytes = tap.take();
  if (bytes) exchange.requestBody.add(bytes);
  // Bytes past the cap were counted but not kept: count them again.
  exchange.requestBody.size += tap.size - tap.captured;
}

/**
 * Only the first stream of the process can have data we did not see: the stream prototype is
 * patched when that stream is emitted. What it received is still in its read buffer (nothing can
 * consume it before 'stream'); the buffer's shape differs across Node versions, so read it guardedly.
 */
function bufferedChunks(stream: Stream): unknown[] {
  if (!(stream.readableLength > 0)) return [];
  const state = (stream as unknown as { _readableState?: { buffer?: unknown; bufferIndex?: number } })._readableState;
  const buffer = state?.buffer;
  if (Array.isArray(buffer)) return buffer.slice(state?.bufferIndex ?? 0);
  const out: unknown[] = [];
  for (let node = (buffer as { head?: { data: unknown; next: unknown } } | undefined)?.head; node; node = node.next as typeof node) {
    out.push(node.data);
  }
  return out;
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
        // eslint-disable-next-line prefer-rest-params
        const args = Array.prototype.slice.call(arguments) as unknown[];
        const extra = exchanges.has(this) ? takePendingHeaders(this) : undefined;
        if (extra) args[at] = mergePending(args[at], extra);
        return original.apply(this, args);
      },
    );
  }
}

function tapRequest(stream: Stream, chunk: unknown, encoding: unknown): void {
  const exchange = exchanges.get(stream);
  try {
    if (exchange) exchange.requestBody.add(chunk, encoding);
    else if (!decided.has(stream)) {
      let tap = early.get(stream);
      if (!tap) early.set(stream, (tap = new BodyTap(hooks?.maxBodySize() ?? 0)));
      tap.add(chunk, encoding);
    }
  } catch (err) {
    hooks?.fail('http2 request body', err);
  }
}

function tapResponse(stream: Stream, chunk: unknown, encoding: unknown): void {
  const exchange = exchanges.get(stream);
  if (!exchange || chunk === null || chunk === undefined) return;
  try {
    exchange.responseBody.add(chunk, encoding);
  } catch (err) {
    hooks?.fail('http2 response body', err);
  }
}
