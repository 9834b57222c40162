import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IngestError, readLogs } from './ingest';
import { LogStore } from './store';

export interface CollectorOptions {
  port?: number;
  host?: string;
  maxEntries?: number;
  maxPayloadBytes?: number;
  /** Extra routes (the dashboard); return true when handled. */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, store: LogStore) => boolean | Promise<boolean>;
  /** Answer POST /v1/request with this status instead of storing (fault injection in tests). */
  failWith?: number;
}

export interface Collector {
  url: string;
  port: number;
  store: LogStore;
  server: Server;
  /** Requests to /v1/request seen, including refused ones. */
  posts: Array<{ headers: IncomingMessage['headers']; status: number; count: number }>;
  setFailure(status: number | undefined): void;
  close(): Promise<void>;
}

/** A local ReadMe Metrics: the same ingestion API, a bounded in-memory store, on 127.0.0.1. */
export async function startCollector(opts: CollectorOptions = {}): Promise<Collector> {
  const store = new LogStore(opts.maxEntries);
  const maxPayload = opts.maxPayloadBytes ?? 50 * 1024 * 1024;
  const posts: Collector['posts'] = [];
  let failWith = opts.failWith;

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => send(res, 500, { error: String(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/request') {
      if (failWith) {
        req.resume();
        posts.push({ headers: req.headers, status: failWith, count: 0 });
        return send(res, failWith, { error: 'injected failure' });
      }
      try {
        const logs = await readLogs(req, maxPayload);
        const auth = req.headers.authorization;
        for (const log of logs) store.add(log, auth);
        posts.push({ headers: req.headers, status: 202, count: logs.length });
        return send(res, 202, { accepted: logs.length });
      } catch (err) {
        const status = err instanceof IngestError ? err.status : 400;
        posts.push({ headers: req.headers, status, count: 0 });
        req.resume();
        return send(res, status, { error: (err as Error).message });
      }
    }
    if (opts.extraRoutes && (await opts.extraRoutes(req, res, store))) return;
    if (req.method === 'GET' && path === '/api/logs') return send(res, 200, store.all());
    if (req.method === 'DELETE' && path === '/api/logs') {
      store.clear();
      return send(res, 204, null);
    }
    send(res, 404, { error: 'not found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    server,
    posts,
    setFailure(status) {
      failWith = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const json = body === null ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
