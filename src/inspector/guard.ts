import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Every request passes this one guard before any route, as the logs hold full bodies: its own Host
 * (a DNS-rebinding page sends another), its own origin for browsers, and on ingestion the session
 * token `dev` and `inspect` hand the app (a page's no-cors POST cannot set Authorization), also
 * required on the project lookup, which answers the session's webhook secret.
 */
export interface GuardOptions {
  /** `host:port` values the inspector answers to, lowercase, port always present. */
  hosts: ReadonlySet<string>;
  /** POST /v1/request and GET /v1/ must carry `Authorization: Basic base64("<token>:")`, as the SDK sends its key. */
  token: string;
}

export interface Refusal {
  status: number;
  reason: string;
}

/** A fresh token per session; it looks like a key so the SDK sends it as one, and says it is local. */
export function newSessionToken(): string {
  return `rdme_local_${randomBytes(16).toString('hex')}`;
}

/** The session's webhook secret: what a project lookup answers as its `jwtSecret`. */
export function newWebhookSecret(): string {
  return `rdme_local_whsec_${randomBytes(16).toString('hex')}`;
}

/** Why the request is refused, or undefined to let it through. */
export function refusal(req: IncomingMessage, path: string, opts: GuardOptions): Refusal | undefined {
  if (!opts.hosts.has(authority(req.headers.host))) {
    return { status: 421, reason: 'unexpected Host header: open the inspector at its 127.0.0.1 or localhost address' };
  }
  if (isCrossSite(req, opts.hosts) && !isPageNavigation(req, path)) {
    return { status: 403, reason: 'cross-site requests are refused: the inspector answers its own pages only' };
  }
  if (needsToken(req, path) && !carriesToken(req.headers.authorization, opts.token)) {
    return { status: 401, reason: 'missing or wrong session token: start the app with the environment readme-metrics dev or inspect gives it' };
  }
  return undefined;
}

function needsToken(req: IncomingMessage, path: string): boolean {
  return (req.method === 'POST' && path === '/v1/request') || isProjectLookup(req, path);
}

/** `GET {readmeApiUrl}/v1/`, as the SDK asks ReadMe for the project (its base URL and webhook secret). */
export function isProjectLookup(req: IncomingMessage, path: string): boolean {
  return req.method === 'GET' && (path === '/v1/' || path === '/v1');
}

/** Fetch Metadata when the browser sends it (every current one does), the Origin header otherwise. */
function isCrossSite(req: IncomingMessage, hosts: ReadonlySet<string>): boolean {
  const site = req.headers['sec-fetch-site'];
  // "same-site" is refused too: a page of the app on 127.0.0.1:3000 is same-site with the inspector.
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    const url = new URL(origin);
    return url.protocol !== 'http:' || !hosts.has(authority(url.host));
  } catch {
    return true; // "null" (sandboxed frames, file: pages) and anything unparsable
  }
}

/**
 * Opening the dashboard from a link on another site (an x-documentation-url shown by a web API
 * client) stays possible: the page itself holds no data, and it reads the logs same-origin.
 */
function isPageNavigation(req: IncomingMessage, path: string): boolean {
  return (
    req.method === 'GET' &&
    req.headers['sec-fetch-mode'] === 'navigate' &&
    req.headers['sec-fetch-dest'] === 'document' &&
    (path === '/' || /^\/logs\/[^/]+$/.test(path))
  );
}

/** Compared as SHA-256 digests, so the time taken says nothing about the token, not even its length. */
function carriesToken(authorization: string | undefined, token: string): boolean {
  const basic = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!basic) return false;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  return timingSafeEqual(digest(user), digest(token));
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** `host[:port]` lowercased with the port made explicit, as the set of hosts holds it. */
export function authority(host: string | undefined): string {
  const h = String(host ?? '').trim().toLowerCase();
  if (!h) return '';
  return /:\d+$/.test(h) ? h : `${h}:80`;
}
