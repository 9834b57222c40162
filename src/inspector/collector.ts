import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleDashboard } from './dashboard';
import { authority, isProjectLookup, newSessionToken, newWebhookSecret, refusal } from './guard';
import { IngestError, readLogs, validateLog } from './ingest';
import { JsonlPersistence } from './persist';
import { LogStore } from './store';
import type { DefinitionSource } from '../openapi';
import { version } from '../version';

const MAX_POSTS = 1_000;

export interface CollectorOptions {
  port?: number;
  host?: string;
  maxEntries?: number;
  maxPayloadBytes?: number;
  /** Extra routes (the dashboard); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, store: LogStore) => boolean | Promise<boolean>;
  /** Answer POST /v1/request with this status instead of storing (fault injection in tests). */
  failWith?: number;
  /** Serve the web dashboard and its JSON API (default true). */
  dashboard?: boolean;
  /** Keep logs in this JSON-lines file too, so a restart keeps history. */
  persistFile?: string;
  /** The persistence file is compacted past this size (default 64 MiB). */
  maxFileBytes?: number;
  /** Ingestion needs `Authorization: Basic base64("<token>:")`; default: a fresh random token. */
  token?: string;
  /** The app's API definition, for the coverage view. */
  definition?: DefinitionSource;
}

export interface Collector {
  url: string;
  port: number;
  /** The session token the app must send as its API key (README_API_KEY). */
  token: string;
  /** The webhook secret the project lookup (GET /v1/) answers, so the app's webhook works in a session. */
  webhookSecret: string;
  store: LogStore;
  server: Server;
  /** The most recent requests to /v1/request (at most MAX_POSTS), including refused ones; in memory for tests, never served. */
  posts: Array<{ headers: IncomingMessage['headers']; status: number; count: number }>;
  /** Requests to /v1/request since the start, and how many of them were refused (status >= 400). */
  postCounts: { total: number; refused: number };
  setFailure(status: number | undefined): void;
  close(): Promise<void>;
  /** The persistence file, when there is one. */
  persistFile?: string;
  /** Logs loaded from the persistence file at start. */
  restored: number;
}

/**
 * A local ReadMe Metrics: the same ingestion API, a bounded in-memory store (optionally kept in a
 * file), a JSON API and the web dashboard, on 127.0.0.1.
 */
export async function startCollector(opts: CollectorOptions = {}): Promise<Collector> {
  const store = new LogStore(opts.maxEntries);
  const maxPayload = opts.maxPayloadBytes ?? 50 * 1024 * 1024;
  const posts: Collector['posts'] = [];
  const postCounts = { total: 0, refused: 0 };
  // A dev session runs for hours at 10 posts a second: only the recent ones are kept.
  const record = (entry: Collector['posts'][number]): void => {
    postCounts.total++;
    if (entry.status >= 400) postCounts.refused++;
    posts.push(entry);
    if (posts.length > 2 * MAX_POSTS) posts.splice(0, posts.length - MAX_POSTS);
  };
  let failWith = opts.failWith;
  const startedAt = Date.now();
  const hosts = new Set<string>();
  const token = opts.token || newSessionToken();
  const webhookSecret = newWebhookSecret();

  let restored = 0;
  let detach: (() => void) | undefined;
  const persistence = opts.persistFile
    ? new JsonlPersistence(opts.persistFile, { maxEntries: store.maxEntries, maxBytes: opts.maxFileBytes ?? 64 * 1024 * 1024 })
    : undefined;
  if (persistence) {
    const kept = persistence.load().filter((l) => !validateLog(l.log));
    store.restore(kept);
    restored = kept.length;
    detach = persistence.attach(store);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { error: String(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    // One guard in front of every route (guard.ts): Host, same origin, and the token on ingestion.
    const refused = refusal(req, path, { hosts, token });
    if (refused) {
      if (req.method === 'POST' && path === '/v1/request') record({ headers: req.headers, status: refused.status, count: 0 });
      req.resume();
      return sendText(res, refused.status, refused.reason);
    }
    if (req.method === 'POST' && path === '/v1/request') {
      if (failWith) {
        req.resume();
        record({ headers: req.headers, status: failWith, count: 0 });
        return send(res, failWith, { error: 'injected failure' });
      }
      try {
        const logs = await readLogs(req, maxPayload);
        // The Authorization header has done its job once checked: no log keeps it, so none can show it.
        for (const log of logs) store.add(log);
        record({ headers: req.headers, status: 202, count: logs.length });
        return send(res, 202, { accepted: logs.length });
      } catch (err) {
        const status = err instanceof IngestError ? err.status : 400;
        record({ headers: req.headers, status, count: 0 });
        req.resume();
        return send(res, status, { error: (err as Error).message });
      }
    }
    // The app's key is the session token, which ReadMe would refuse: the project it looks up is this session.
    if (isProjectLookup(req, path)) return send(res, 200, { name: 'readme-metrics inspector', baseUrl: url, jwtSecret: webhookSecret });
    if (opts.extraRoutes && (await opts.extraRoutes(req, res, store))) return;
    if (path === '/v1/request') return send(res, 405, { error: 'POST a JSON array of logs to /v1/request' });
    if (req.method === 'GET' && path === '/api/logs') return send(res, 200, store.all().map(({ seq, receivedAt, log }) => ({ seq, receivedAt, log })));
    if (req.method === 'DELETE' && path === '/api/logs') {
      store.clear();
      return send(res, 204, null);
    }
    if (opts.dashboard !== false && (await handleDashboard(req, res, { store, info, definition: opts.definition }))) return;
    send(res, 404, { error: 'not found' });
  }

  function info(): Record<string, unknown> {
    return {
      version,
      startedAt,
      maxEntries: store.maxEntries,
      size: store.size,
      evicted: store.evicted,
      duplicates: store.duplicates,
      persistFile: opts.persistFile,
      ingestUrl: `${url}/v1/request`,
    };
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
  } catch (err) {
    detach?.();
    throw err;
  }
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  hosts.add(authority(`${host}:${port}`));
  if (['127.0.0.1', '::1', '0.0.0.0', '::'].includes(address)) {
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) hosts.add(`${name}:${port}`);
  }
  return {
    url,
    port,
    token,
    webhookSecret,
    store,
    server,
    posts,
    postCounts,
    persistFile: opts.persistFile,
    restored,
    setFailure(status) {
      failWith = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        detach?.();
        detach = undefined;
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const json = body === null ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
