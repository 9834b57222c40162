import type { NameValue } from './types';
import { headerValue } from './headers';

// A host is a name, an IPv4 or a bracketed IPv6 address, and an optional port: anything else ("h?",
// "h/x#") would move the path into the query or fragment and out of reach of the URL's redaction.
const HOST = /^(?:[A-Za-z0-9._~!$&'()*+,;=%-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const PROTO = /^[A-Za-z][A-Za-z0-9+.-]*$/;

function valid(value: string | undefined, shape: RegExp): string | undefined {
  return value !== undefined && shape.test(value) ? value : undefined;
}

/** A forwarded or Host value when it is a well-formed `host[:port]`; undefined otherwise. */
export function validHost(value: string | undefined): string | undefined {
  return valid(value, HOST);
}

/** A forwarded scheme when it is one; undefined otherwise. */
export function validProto(value: string | undefined): string | undefined {
  return valid(value, PROTO);
}

/** The URL the client asked for; scheme and host honour x-forwarded-proto / x-forwarded-host when well formed. */
export function fullUrl(path: string, headers: readonly NameValue[], encrypted: boolean): string {
  if (/^https?:\/\//i.test(path)) return path;
  const proto = validProto(firstValue(headerValue(headers, 'x-forwarded-proto'))) ?? (encrypted ? 'https' : 'http');
  const host = validHost(firstValue(headerValue(headers, 'x-forwarded-host'))) ?? validHost(headerValue(headers, 'host')) ?? 'localhost';
  return `${proto}://${host}${path.startsWith('/') ? path : `/${path}`}`;
}

export function queryString(url: string): NameValue[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  const search = new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash));
  return [...search].map(([name, value]) => ({ name, value }));
}

/** pageref: the route template on the request's origin when known, the full URL otherwise. */
export function pageRef(url: string, route: string | undefined): string {
  if (!route) return url;
  // fullUrl always starts with scheme://host, so the origin ends at the first "/" after "://".
  const hostStart = url.indexOf('://') + 3;
  const pathStart = url.indexOf('/', hostStart);
  const origin = pathStart === -1 ? url : url.slice(0, pathStart);
  return origin + escapeTemplate(route.startsWith('/') ? route : `/${route}`);
}

/**
 * A template stays a path: `?` (optional parameters, `/:version?`) and `#` would start a query or a
 * fragment, and URL parsers read `\` (`/:id(\\d+)`) as `/`. Percent-encoded as readmeio's url.format
 * encodes `?` and `#`, so ReadMe reads the same pageref from both SDKs and decoding gives the template.
 */
function escapeTemplate(route: string): string {
  return /[?#\\]/.test(route) ? route.replace(/[?#\\]/g, (c) => encodeURIComponent(c)) : route;
}

function firstValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const first = v.split(',')[0].trim();
  return first === '' ? undefined : first;
}
