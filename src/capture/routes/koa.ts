import { setRouteGetter } from './set-route';

const MATCHED = '_matchedRoute';

interface KoaContextLike {
  req?: unknown;
  [MATCHED]?: unknown;
}

/**
 * @koa/router (and koa-router) write `ctx._matchedRoute` as they match, in whichever module format the
 * app loaded them. Koa's shared context prototype is a CommonJS module even under `import koa`, so an
 * accessor there sees the first write of every request; it then steps aside (an ordinary own property,
 * exactly what a plain assignment makes) and the template is read from ctx once the response closes.
 */
export function patchKoaContext(proto: unknown): void {
  if (typeof proto !== 'object' || proto === null || Object.prototype.hasOwnProperty.call(proto, MATCHED)) return;
  Object.defineProperty(proto, MATCHED, {
    configurable: true,
    enumerable: false,
    get() {
      return undefined;
    },
    set(this: KoaContextLike, value: unknown) {
      Object.defineProperty(this, MATCHED, { value, writable: true, enumerable: true, configurable: true });
      if (this === proto) return;
      try {
        setRouteGetter(this.req, () => this[MATCHED]);
      } catch {}
    },
  });
}
