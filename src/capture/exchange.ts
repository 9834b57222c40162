import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTap, NO_BODY } from './body-tap';
import type { RawCapture } from './raw-capture';
import { existingState } from './routes/express-state';

/** The state of one request/response while it is in flight, for HTTP/1 (http1-exchange.ts) and HTTP/2. */
export abstract class Exchange {
  readonly start = performance.now();
  /** NO_BODY until a first chunk: most requests (GET) never have one, so never need a tap. */
  requestBody = NO_BODY;
  responseBody = NO_BODY;

  constructor(
    readonly id: string,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly maxBodySize: number,
  ) {}

  addRequestChunk(chunk: unknown, encoding: unknown): void {
    if (this.requestBody === NO_BODY) this.requestBody = new BodyTap(this.maxBodySize);
    this.requestBody.add(chunk, encoding);
  }

  addResponseChunk(chunk: unknown, encoding: unknown): void {
    if (this.responseBody === NO_BODY) this.responseBody = new BodyTap(this.maxBodySize);
    this.responseBody.add(chunk, encoding);
  }

  /** HEAD, 204 and 304 send no body, whatever the app wrote. */
  protected static sendsNoBody(method: string, status: number): boolean {
    return method === 'HEAD' || status === 204 || status === 304;
  }

  /** Reads what is left to read once the response is over. */
  abstract toRawCapture(): RawCapture;
}

export function stringHeaders(h: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

/** The template capture/routes recorded as the route matched; else Express's own fields, read now. */
export function routeOf(req: object): string | undefined {
  const r = req as { route?: { path?: unknown }; baseUrl?: unknown; [ROUTE]?: string };
  const express = existingState(r);
  if (express !== undefined) return express.template;
  // Own only (setRoute defines it on the request): a miss then never walks the prototype chain.
  if (hasOwn(r, ROUTE) && typeof r[ROUTE] === 'string') return r[ROUTE];
  // Only where routes/express.ts could not install its accessors: joins the route to the mount path
  // the router is in now, which is wrong once a route has called next() out of its router.
  const route = r.route;
  if (route && typeof route.path === 'string') return (typeof r.baseUrl === 'string' ? r.baseUrl : '') + route.path;
  return undefined;
}

const hasOwn = (o: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Framework instrumentation stores a route template here when the framework does not expose one. */
export const ROUTE = Symbol.for('readme-metrics.route');
