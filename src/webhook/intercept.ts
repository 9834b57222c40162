import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { findConfigFile } from '../config/load-file';
import { parsePath } from '../config/parse';
import { DEFAULT_WEBHOOK_PATH, pathOf } from './paths';
import { WebhookRoutes, type WebhookSettings } from './routes';

// The diagnostics channel only watches a request; answering the webhook means the app must never see it,
// so this path alone wraps Server.prototype.emit, and only when a config file may define getUserByEmail.
let current: WebhookRoutes | undefined;
/** While the config file loads: the webhook calls that arrive wait for it instead of reaching the app. */
let loading: { ready: Promise<unknown>; path: string } | undefined;

type Emit = (...args: unknown[]) => boolean;
type EmitterProto = { emit: Emit };
/** What each prototype had before our wrap, so a config without the function leaves them exactly as found. */
let patches: Array<{ proto: EmitterProto; own: boolean; before: Emit; wrapper: Emit }> | undefined;

/**
 * A config file exists but is still loading (jiti takes a moment for TypeScript): POSTs to `path` wait
 * for it, then go to the webhook if it defines getUserByEmail, to the app otherwise. Nothing else waits.
 */
function holdEarlyWebhooks(ready: Promise<unknown>, path: string): void {
  const hold = { ready, path };
  loading = hold;
  void ready.finally(() => {
    if (loading !== hold) return;
    loading = undefined;
    if (!current) unpatch();
  });
  patchOnce();
}

/** Starts answering the webhook (and, in development, the setup pages) on every http(s) server of the process. */
export function installWebhook(settings: WebhookSettings): WebhookRoutes {
  current = new WebhookRoutes(settings);
  patchOnce();
  return current;
}

function patchOnce(): void {
  if (patches) return;
  // http.Server and https.Server do not inherit from each other: both prototypes need the wrap.
  patches = [http.Server.prototype, https.Server.prototype].map((p) => {
    const proto = p as unknown as EmitterProto;
    const own = Object.prototype.hasOwnProperty.call(proto, 'emit');
    const before = proto.emit;
    const wrapper = wrapEmit(before);
    Object.defineProperty(proto, 'emit', { configurable: true, writable: true, value: wrapper });
    return { proto, own, before, wrapper };
  });
}

/** Puts back what was there, unless someone wrapped emit after us: then ours stays, and passes everything on. */
function unpatch(): void {
  for (const { proto, own, before, wrapper } of patches ?? []) {
    if (proto.emit !== wrapper) continue;
    if (own) proto.emit = before;
    else delete (proto as Partial<EmitterProto>).emit;
  }
  patches = undefined;
}

function dispatch(server: unknown, original: Emit, args: unknown[], req: IncomingMessage, res: ServerResponse): boolean {
  const routes = current;
  const route = routes?.route(req);
  if (!routes || !route) return original.apply(server, args);
  // Handed on outside our promise chain: what the app's handler throws stays an uncaught exception, as without us.
  void routes.handle(route, req, res, () => process.nextTick(() => original.apply(server, args)));
  return true;
}

function wrapEmit(original: Emit): Emit {
  return function emit(this: unknown, event: unknown, req: unknown, res: unknown) {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments as unknown as unknown[];
    if (event !== 'request' || (!current && !loading)) return original.apply(this, args);
    const r = req as IncomingMessage;
    const hold = loading;
    if (hold && r.method === 'POST' && pathOf(r.url) === hold.path) {
      void hold.ready.then(() => process.nextTick(() => dispatch(this, original, args, r, res as ServerResponse)));
      return true;
    }
    return dispatch(this, original, args, r, res as ServerResponse);
  };
}

/** At start, before the config file has loaded: hold early webhook calls only if there is a file to wait for. */
export function holdEarlyWebhooksIfConfigFile(ready: Promise<unknown>, env: NodeJS.ProcessEnv = process.env): void {
  try {
    if (!findConfigFile(process.cwd(), env)) return;
  } catch {
    return; // a missing README_METRICS_CONFIG: the load reports it, and there is nothing to wait for
  }
  let path = DEFAULT_WEBHOOK_PATH;
  try {
    if (env.README_WEBHOOK_PATH) path = parsePath(env.README_WEBHOOK_PATH);
  } catch {}
  holdEarlyWebhooks(ready, path);
}
