import diagnosticsChannel from 'node:diagnostics_channel';
import { CHANNELS } from '../channels';
import { debug, errorMessage } from '../../debug';
import { setRoute } from './set-route';

interface FastifyRequestLike {
  raw?: unknown;
  is404?: boolean;
  routeOptions?: { url?: unknown };
  routerPath?: unknown;
}

interface FastifyLike {
  addHook(name: string, fn: (request: FastifyRequestLike, reply: unknown, done: () => void) => void): unknown;
}

export function installFastifyRoutes(): void {
  diagnosticsChannel.subscribe(CHANNELS.fastifyInitialization, onInstance);
}

function onInstance(message: unknown): void {
  try {
    const fastify = (message as { fastify?: FastifyLike } | null)?.fastify;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    // A root onRequest hook reaches every route, in every encapsulated plugin, and runs before any auth
    // hook can answer, so early 401s still carry their template. Added first, it sees the request first.
    fastify.addHook('onRequest', rememberRoute);
  } catch (err) {
    debug(`fastify route templates unavailable: ${errorMessage(err)}`);
  }
}

// A plain callback hook: Fastify rejects async functions that also take `done`.
function rememberRoute(request: FastifyRequestLike, _reply: unknown, done: () => void): void {
  try {
    if (!request.is404) setRoute(request.raw, routeOf(request));
  } catch {}
  done();
}

function routeOf(request: FastifyRequestLike): unknown {
  const options = request.routeOptions;
  // routerPath is deprecated (with a warning) wherever routeOptions exists: only old 4.x reaches it.
  if (options) return options.url;
  return request.routerPath;
}
