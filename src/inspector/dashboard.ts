import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DefinitionSource } from '../openapi';
import { coverage } from './coverage';
import { openEventStream } from './events';
import { toHar } from './har-export';
import { inferOpenApi } from './openapi-export';
import { serveAsset } from './static';
import type { LogStore, StoredLog } from './store';
import { summarize } from './summary';

export interface DashboardContext {
  store: LogStore;
  info: () => Record<string, unknown>;
  definition?: DefinitionSource;
}

const MAX_EXPORT_REQUEST = 1024 * 1024;

/** The web UI and its small JSON API. Returns false for paths it does not own. */
export async function handleDashboard(req: IncomingMessage, res: ServerResponse, ctx: DashboardContext): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://inspector');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const owned = path === '/' || path.startsWith('/logs/') || path.startsWith('/ui/') || path.startsWith('/api/') || path === '/favicon.ico';
  if (!owned) return false;

  if (method === 'GET' && (path === '/' || /^\/logs\/[^/]+$/.test(path))) return serveAsset(res, 'index.html');
  if (method === 'GET' && path.startsWith('/ui/')) return serveAsset(res, path.slice(4));
  if (method === 'GET' && path === '/favicon.ico') return serveAsset(res, 'favicon.svg');

  const { store } = ctx;
  if (method === 'GET' && path === '/api/events') {
    openEventStream(req, res, store);
    return true;
  }
  if (method === 'GET' && path === '/api/summaries') {
    json(res, 200, { maxEntries: store.maxEntries, evicted: store.evicted, logs: store.all().map(summarize) });
    return true;
  }
  if (method === 'GET' && path === '/api/info') {
    json(res, 200, ctx.info());
    return true;
  }
  if (method === 'GET' && path === '/api/coverage') {
    json(res, 200, coverage(ctx.definition?.current() ?? {}, store.all()));
    return true;
  }
  if (method === 'GET' && path === '/api/openapi') {
    const { status, body } = await inferOpenApi(store.all());
    const text = JSON.stringify(body, null, 2);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    };
    if (status === 200) headers['content-disposition'] = 'attachment; filename="openapi.inferred.json"';
    res.writeHead(status, headers);
    res.end(text);
    return true;
  }
  const one = /^\/api\/logs\/([^/]+)$/.exec(path);
  if (method === 'GET' && one) {
    const stored = store.get(decodeURIComponent(one[1]));
    if (!stored) json(res, 404, { error: `no log ${one[1]} (the inspector keeps the latest ${store.maxEntries})` });
    else json(res, 200, { seq: stored.seq, receivedAt: stored.receivedAt, summary: summarize(stored), log: stored.log });
    return true;
  }
  if (method === 'GET' && path === '/api/search') {
    const q = (url.searchParams.get('q') ?? '').trim().toLowerCase();
    json(res, 200, { q, ids: q ? store.all().filter((s) => haystack(s).includes(q)).map((s) => summarize(s).id) : [] });
    return true;
  }
  if ((method === 'GET' || method === 'POST') && path === '/api/har') {
    let logs: readonly StoredLog[] = store.all();
    if (method === 'POST') {
      const ids = await readIds(req);
      if (!ids) {
        json(res, 400, { error: 'expected {"ids": ["<log id>", ...]}' });
        return true;
      }
      logs = ids.map((id) => store.get(id)).filter((s): s is StoredLog => !!s);
    }
    const body = JSON.stringify(toHar(logs.map((s) => s.log)), null, 2);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="readme-metrics-${stamp}.har"`,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
    return true;
  }
  json(res, 404, { error: 'not found' });
  return true;
}

// Free-text search covers bodies and headers too; the text is built once per log.
const haystacks = new WeakMap<StoredLog, string>();
function haystack(s: StoredLog): string {
  let h = haystacks.get(s);
  if (h === undefined) {
    const parts: string[] = [];
    collectText(s.log, parts, 0);
    h = parts.join('\n').toLowerCase();
    haystacks.set(s, h);
  }
  return h;
}

function collectText(v: unknown, out: string[], depth: number): void {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  else if (v && typeof v === 'object' && depth < 32) {
    for (const item of Array.isArray(v) ? v : Object.values(v)) collectText(item, out, depth + 1);
  }
}

async function readIds(req: IncomingMessage): Promise<string[] | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_EXPORT_REQUEST) chunks.push(chunk);
  }
  if (size > MAX_EXPORT_REQUEST) return undefined;
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ids?: unknown };
    if (!Array.isArray(parsed.ids) || !parsed.ids.every((id) => typeof id === 'string')) return undefined;
    return parsed.ids as string[];
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
