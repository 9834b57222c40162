import { IncomingMessage } from 'node:http';
import { debug } from '../../debug';
import { ROUTE } from '../exchange';
import { setRoute } from './set-route';

// Express 4 and 5 (and NestJS on Express) write `req.route = route` when a route matches. The
// template must be read then: a route may call next() out of its router (json-server renders every
// answer in a middleware after its sub-routers), and once it does the router puts req.baseUrl back
// to the parent's, so reading both at response close joins the route to the wrong mount path.
const VALUE = Symbol('readme-metrics.express-route');

type WithRoute = IncomingMessage & { [VALUE]?: unknown; baseUrl?: unknown; originalUrl?: unknown };

/**
 * An accessor on IncomingMessage.prototype sees every `req.route =` through Express's request
 * prototype chain, whichever copy or alias of Express the app loaded, CommonJS or ESM, with no
 * require hook. Reads give back what was written, so Express and the app see what they always did.
 */
export function installExpressRoutes(): void {
  const proto = IncomingMessage.prototype;
  if (Object.prototype.hasOwnProperty.call(proto, 'route')) {
    debug('IncomingMessage.prototype.route already defined: Express templates are read at response close');
    return;
  }
  Object.defineProperty(proto, 'route', {
    configurable: true,
    enumerable: false,
    get(this: WithRoute) {
      return this[VALUE];
    },
    set(this: WithRoute, route: unknown) {
      if (Object.prototype.hasOwnProperty.call(this, VALUE)) this[VALUE] = route;
      else Object.defineProperty(this, VALUE, { value: route, writable: true, configurable: true, enumerable: false });
      try {
        const path = (route as { path?: unknown } | null | undefined)?.path;
        if (typeof path !== 'string') return;
        const base = typeof this.baseUrl === 'string' ? this.baseUrl : '';
        // A route reached after a handler rewrote req.url (json-server's /posts/1/comments goes on as
        // /comments) does not describe the URL the client sent: the template of one that did stays.
        if (hasOwn(this, ROUTE) && rewritten(this, base)) return;
        setRoute(this, base + path);
      } catch {}
    },
  });
}

const hasOwn = (o: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Whether the path being routed now (mount path and what is left) differs from the one received. */
function rewritten(req: WithRoute, base: string): boolean {
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
