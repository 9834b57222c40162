import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';

/**
 * Apps on the raw `stream` API have no request/response objects, yet the agent and the user's
 * grouping function take a node:http-like pair. These give them the parts they read, backed by the
 * stream, without touching the stream itself.
 */
export class StreamRequest {
  readonly httpVersion = '2.0';
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;

  constructor(
    readonly stream: ServerHttp2Stream,
    /** As Http2ServerRequest#headers: pseudo-headers included. */
    readonly headers: IncomingHttpHeaders,
    readonly rawHeaders: string[],
  ) {}

  get method(): string {
    return String(this.headers[':method'] ?? 'GET');
  }

  get url(): string {
    return String(this.headers[':path'] ?? '/');
  }

  get authority(): string | undefined {
    const a = this.headers[':authority'] ?? this.headers.host;
    return a === undefined ? undefined : String(a);
  }

  get scheme(): string | undefined {
    const s = this.headers[':scheme'];
    return s === undefined ? undefined : String(s);
  }

  get socket(): unknown {
    return this.stream.session?.socket;
  }
}

// Headers the agent sets before the app responds (x-documentation-url), merged into respond().
const pendingHeaders = new WeakMap<ServerHttp2Stream, Record<string, string>>();

export function takePendingHeaders(stream: ServerHttp2Stream): Record<string, string> | undefined {
  const h = pendingHeaders.get(stream);
  if (h) pendingHeaders.delete(stream);
  return h;
}

export class StreamResponse {
  constructor(readonly stream: ServerHttp2Stream) {}

  get headersSent(): boolean {
    return this.stream.headersSent;
  }

  get statusCode(): number {
    const status = this.stream.headersSent ? Number(this.stream.sentHeaders[':status']) : NaN;
    return Number.isInteger(status) ? status : 200;
  }

  /** Only before the app responds; afterwards a no-op (the stream API has nothing to throw for). */
  setHeader(name: string, value: string | number | readonly string[]): this {
    if (this.stream.headersSent || this.stream.destroyed) return this;
    let h = pendingHeaders.get(this.stream);
    if (!h) pendingHeaders.set(this.stream, (h = {}));
    h[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    return this;
  }

  getHeader(name: string): unknown {
    return this.getHeaders()[name.toLowerCase()];
  }

  getHeaders(): OutgoingHttpHeaders {
    if (this.stream.headersSent) return withoutPseudo(this.stream.sentHeaders);
    return { ...pendingHeaders.get(this.stream) };
  }
}

export function withoutPseudo<T extends Record<string, unknown>>(headers: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && v !== undefined) out[k] = v;
  return out as T;
}

/**
 * Adds the agent's pending headers to the ones the app passes to respond(); the app's own value
 * wins. Anything but a plain headers object (or none) is passed on untouched, so Node's own
 * validation errors reach the app unchanged.
 */
export function mergePending(headers: unknown, extra: Record<string, string>): unknown {
  if (headers !== undefined && (headers === null || typeof headers !== 'object' || Array.isArray(headers))) return headers;
  const merged: Record<string | symbol, unknown> = { ...(headers as Record<string | symbol, unknown> | undefined) };
  const present = new Set(Object.keys(merged).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(extra)) if (!present.has(k)) merged[k] = v;
  return merged;
}
