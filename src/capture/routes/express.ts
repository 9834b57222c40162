import { IncomingMessage } from 'node:http';
import { debug } from '../../debug';
import { noteMount } from './express-mounts';
import { existingState, stateOf, type ExpressState } from './express-state';

// Express 4 and 5 (and NestJS on Express) write `req.route = route` when a route matches, and
// req.baseUrl as they enter and leave mounted routers. The template must be read as the route
// matches: a route may call next() out of its router (json-server renders every answer in a
// middleware after its sub-routers), and once it does the router puts req.baseUrl back to the
// parent's, so reading both at response close joins the route to the wrong mount path.

type ExpressRequest = IncomingMessage & { originalUrl?: unknown; params?: unknown };

/**
 * Accessors on IncomingMessage.prototype see every `req.route =` and `req.baseUrl =` through
 * Express's request prototype chain, whichever copy or alias of Express the app loaded, CommonJS or
 * ESM, with no require hook. Reads give back what was written. The values live in the request's
 * ExpressState rather than as own properties: Object.keys(req) no longer lists route and baseUrl.
 */
export function installExpressRoutes(): void {
  const proto = IncomingMessage.prototype;
  for (const name of ['route', 'baseUrl'] as const) {
    if (Object.prototype.hasOwnProperty.call(proto, name)) {
      debug(`IncomingMessage.prototype.${name} already defined: Express templates are read at response close`);
      return;
    }
  }
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return existingState(this)?.route;
    },
    set(this: ExpressRequest, route: unknown) {
      const state = stateOf(this);
      state.route = route;
      try {
        onRoute(this, state, route);
      } catch {}
    },
  });
  Object.defineProperty(proto, 'baseUrl', {
    configurable: true,
    enumerable: false,
    get(this: object) {
      return existingState(this)?.baseUrl;
    },
    set(this: ExpressRequest, value: unknown) {
      const state = stateOf(this);
      const previous = state.baseUrl;
      state.baseUrl = value;
      try {
        noteMount(state, typeof previous === 'string' ? previous : '', value, this.params);
      } catch {}
    },
  });
}

function onRoute(req: ExpressRequest, state: ExpressState, route: unknown): void {
  const path = (route as { path?: unknown } | null | undefined)?.path;
  if (typeof path !== 'string') return;
  const base = typeof state.baseUrl === 'string' ? state.baseUrl : '';
  // A route reached after a handler rewrote req.url (json-server's /posts/1/comments goes on as
  // /comments) does not describe the URL the client sent: the template of one that did stays.
  if (state.template !== undefined && rewritten(req, base)) return;
  state.template = (state.mounts?.get(base) ?? base) + path;
}

/** Whether the path being routed now (mount path and what is left) differs from the one received. */
function rewritten(req: ExpressRequest, base: string): boolean {
  const original = req.originalUrl;
  if (typeof original !== 'string' || typeof req.url !== 'string') return false;
  return pathOf(original) !== pathOf(base + req.url);
}

/** The path without query, and without a trailing slash (a mount path's own URL is routed as "/"). */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
