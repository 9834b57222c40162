import type { StoredLog } from './store';

/** One row of the dashboard's request list: small enough to stream every log to the browser. */
export interface LogSummary {
  seq: number;
  id: string;
  receivedAt: number;
  startedDateTime: string;
  method: string;
  url: string;
  /** Path and query of the URL. */
  path: string;
  /** The route template, when the SDK knew it and it differs from the path. */
  route?: string;
  status: number;
  /** Milliseconds. */
  time: number;
  consumer: { id: string; label?: string; email?: string };
  development: boolean;
  responseSize: number;
  mimeType: string;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Logs are validated on the way in, but only loosely: every field here is read defensively. */
export function summarize(stored: StoredLog): LogSummary {
  const log = stored.log;
  const entries = obj(obj(log.request).log).entries;
  const entry = obj(Array.isArray(entries) ? entries[0] : undefined);
  const request = obj(entry.request);
  const response = obj(entry.response);
  const content = obj(response.content);
  const group = obj(log.group);
  const url = str(request.url) ?? '';
  const pageref = str(entry.pageref);
  return {
    seq: stored.seq,
    id: str(log._id) ?? String(stored.seq),
    receivedAt: stored.receivedAt,
    startedDateTime: str(entry.startedDateTime) ?? new Date(stored.receivedAt).toISOString(),
    method: (str(request.method) ?? 'GET').toUpperCase(),
    url,
    path: pathOf(url),
    route: routeOf(pageref, url),
    status: num(response.status),
    time: Math.max(0, num(entry.time)),
    consumer: { id: str(group.id) ?? '', label: str(group.label), email: str(group.email) },
    development: log.development === true,
    responseSize: num(content.size),
    mimeType: str(content.mimeType) ?? '',
  };
}

/**
 * pageref is the full URL, or the route template on the URL's origin when the SDK knew it
 * (`http://host/users/:id`), or a bare template: a template shows when it differs from the path.
 */
function routeOf(pageref: string | undefined, url: string): string | undefined {
  if (!pageref) return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(pageref)) return pageref;
  try {
    const template = new URL(pageref).pathname;
    const actual = new URL(url).pathname;
    if (template === actual) return undefined;
    try {
      return decodeURIComponent(template);
    } catch {
      return template;
    }
  } catch {
    return undefined;
  }
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}
