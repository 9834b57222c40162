import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { wallClockAt } from './clock';
import { NO_BODY } from './body-tap';
import { Exchange, routeOf, stringHeaders } from './exchange';
import { withoutPseudo } from './http2-shims';
import { validHost, validProto } from '../har/url';
import type { RawCapture } from './raw-capture';

type CompatResponse = { statusCode?: number; getHeaders?: () => OutgoingHttpHeaders };

/**
 * One HTTP/2 stream in flight. The req/res handed to the agent are the compat API's objects, or
 * stand-ins for apps on the stream API; everything logged is read off the stream itself, which both
 * APIs share.
 */
export class Http2Exchange extends Exchange {
  private readonly remoteAddress: string | undefined;
  private readonly encrypted: boolean;

  constructor(
    id: string,
    req: object,
    res: object,
    maxBodySize: number,
    readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly rawHeaders: readonly string[],
  ) {
    super(id, req as IncomingMessage, res as ServerResponse, maxBodySize);
    // Read now: by the time the stream closes the session's socket may be gone.
    const session = stream.session;
    this.remoteAddress = session?.socket?.remoteAddress;
    this.encrypted = Boolean(session?.encrypted);
  }

  override toRawCapture(): RawCapture {
    const { stream, headers } = this;
    const sent = stream.headersSent ? stream.sentHeaders : undefined;
    const compat = this.res as unknown as CompatResponse;
    const status = sent ? Number(sent[':status']) : Number(compat.statusCode);
    const statusCode = Number.isInteger(status) ? status : 200;
    const method = String(headers[':method'] ?? 'GET');
    const noBody = Exchange.sendsNoBody(method, statusCode);
    const declared = this.requestBody === NO_BODY ? -1 : declaredLength(headers['content-length']);
    // As for HTTP/1: counted against content-length, else whole only if the body had ended.
    const incomplete = this.requestBody !== NO_BODY && (declared >= 0 ? this.requestBody.size < declared : !stream.readableEnded);
    return {
      id: this.id,
      startedDateTime: wallClockAt(this.start),
      durationMs: performance.now() - this.start,
      method,
      url: this.url(),
      httpVersion: '2.0',
      requestHeaders: withoutPseudoPairs(this.rawHeaders),
      remoteAddress: this.remoteAddress,
      encrypted: this.encrypted,
      requestBody: this.requestBody.take(),
      requestBodySize: incomplete ? Math.max(this.requestBody.size, declared) : this.requestBody.size,
      requestBodyTruncated: incomplete || this.requestBody.truncated,
      requestBodyIncomplete: incomplete,
      statusCode,
      // HTTP/2 has no reason phrase.
      statusMessage: '',
      // The nearest thing to "the header block as sent": HPACK has no text form, so render one.
      responseHeaderBlock: sent ? headerBlock(statusCode, sent) : null,
      responseHeaders: sent ? null : stringHeaders(withoutPseudo(typeof compat.getHeaders === 'function' ? compat.getHeaders() : {})),
      responseBody: noBody ? null : this.responseBody.take(),
      responseBodySize: noBody ? 0 : this.responseBody.size,
      responseBodyTruncated: noBody ? false : this.responseBody.truncated,
      // writableFinished is no guide: a stream both sides ended can close before its 'finish'.
      aborted: stream.aborted || !stream.writableEnded || (stream.rstCode ?? 0) !== 0,
      route: routeOf(this.req),
      group: undefined,
    };
  }

  /**
   * Absolute, so the host comes from :authority (HTTP/2 requests usually carry no Host header);
   * x-forwarded-proto/-host win as they do for HTTP/1 (har/url.ts).
   */
  private url(): string {
    const h = this.headers;
    const path = String(h[':path'] ?? '/');
    // A malformed forwarded value ("h?") would move the path into the query: the real one is used instead.
    const proto = validProto(first(h['x-forwarded-proto'])) ?? first(h[':scheme']) ?? (this.encrypted ? 'https' : 'http');
    const host = validHost(first(h['x-forwarded-host'])) ?? validHost(first(h[':authority'])) ?? validHost(first(h.host)) ?? 'localhost';
    return `${proto}://${host}${path.startsWith('/') ? path : `/${path}`}`;
  }
}

function first(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(Array.isArray(v) ? v[0] : v)
    .split(',')[0]
    .trim();
  return s === '' ? undefined : s;
}

function withoutPseudoPairs(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!raw[i].startsWith(':')) out.push(raw[i], raw[i + 1]);
  }
  return out;
}

function headerBlock(status: number, sent: OutgoingHttpHeaders): string {
  let block = `HTTP/2 ${status}\r\n`;
  for (const [name, v] of Object.entries(withoutPseudo(sent))) {
    for (const value of Array.isArray(v) ? v : [v]) block += `${name}: ${String(value)}\r\n`;
  }
  return `${block}\r\n`;
}

/** Turns the flat list Node hands to 'stream' listeners into one, or builds it from the object. */
export function rawHeaderList(raw: unknown, headers: IncomingHttpHeaders): string[] {
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[];
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) out.push(k, String(value));
  }
  return out;
}

function declaredLength(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}
