import { ROUTE } from '../exchange';

// Non-enumerable so that spreading, logging or serialising the app's request object shows no trace of us.

/** Records a route template the framework already resolved. */
export function setRoute(req: unknown, route: unknown): void {
  if (typeof route !== 'string' || route === '' || !isObject(req)) return;
  Object.defineProperty(req, ROUTE, { value: route, writable: true, configurable: true, enumerable: false });
}

/** For frameworks that resolve the route later than we can see the request: read it when the response closes. */
export function setRouteGetter(req: unknown, read: () => unknown): void {
  if (!isObject(req) || Object.prototype.hasOwnProperty.call(req, ROUTE)) return;
  Object.defineProperty(req, ROUTE, {
    configurable: true,
    enumerable: false,
    get() {
      try {
        const route = read();
        return typeof route === 'string' && route !== '' ? route : undefined;
      } catch {
        return undefined;
      }
    },
  });
}

function isObject(v: unknown): v is object {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}
