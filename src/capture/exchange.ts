import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTap } from './body-tap';
import type { RawCapture } from './raw-capture';

/** The state of one request/response while it is in flight. */
export class Exchange {
  readonly startedDateTime = Date.now();
  readonly start = performance.now();
  readonly requestBody: BodyTap;
  readonly responseBody: BodyTap;
  /** As received: routers (Express's mounted ones) rewrite req.url while they dispatch. */
  readonly originalUrl: string;

  constructor(
    readonly id: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    maxBodySize: number,
  ) {
    this.requestBody = new BodyTap(maxBodySize);
    this.responseBody = new BodyTap(maxBodySize);
    this.originalUrl = req.url ?? '/';
  }

  /** HEAD, 204 and 304 send no body, whatever the app wrote. */
  protected static sendsNoBody(method: string, status: number): boolean {
    return method === 'HEAD' || status === 204 || status === 304;
  }

  /** Reads what is left to read off req/res once the response is over. */
  toRawCapture(): RawCapture {
    const { req, res } = this;
    const header = (res as ServerResponse & { _header?: unknown })._header;
    const sent = typeof header === 'string' ? header : null;
    const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | null;
    const method = req.method ?? 'GET';
    const status = res.statusCode;
    const noBody = Exchange.sendsNoBody(method, status);
    // One literal with every field: each property added after it is built would be a hidden-class
    // transition on every request.
    return {
      id: this.id,
      startedDateTime: this.startedDateTime,
      durationMs: performance.now() - this.start,
      method,
      url: this.originalUrl,
      httpVersion: req.httpVersion,
      // Not copied: Node never changes rawHeaders after parsing, and the capture is read right away.
      requestHeaders: req.rawHeaders,
      remoteAddress: socket?.remoteAddress,
      encrypted: Boolean(socket?.encrypted),
      requestBody: this.requestBody.take(),
      requestBodySize: this.requestBody.size,
      requestBodyTruncated: this.requestBody.truncated,
      statusCode: status,
      statusMessage: res.statusMessage ?? '',
      responseHeaderBlock: sent,
      responseHeaders: sent === null ? stringHeaders(res.getHeaders()) : null,
      responseBody: noBody ? null : this.responseBody.take(),
      responseBodySize: noBody ? 0 : this.responseBody.size,
      responseBodyTruncated: noBody ? false : this.responseBody.truncated,
      aborted: !res.writableFinished,
      route: routeOf(req),
      group: undefined,
    };
  }
}

export function stringHeaders(h: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

/** Express 4/5 leave the matched route on the request; other frameworks are taught in capture/routes. */
export function routeOf(req: object): string | undefined {
  const r = req as { route?: { path?: unknown }; baseUrl?: unknown; [ROUTE]?: string };
  // Own only (setRoute defines it on the request): a miss then never walks the prototype chain,
  // which under Express is app.request's long one.
  if (hasOwn(r, ROUTE) && typeof r[ROUTE] === 'string') return r[ROUTE];
  if (r.route && typeof r.route.path === 'string') {
    return (typeof r.baseUrl === 'string' ? r.baseUrl : '') + r.route.path;
  }
  return undefined;
}

const hasOwn = (o: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Framework instrumentation stores a route template here when the framework does not expose one. */
export const ROUTE = Symbol.for('readme-metrics.route');
