import shimmer from 'shimmer';
import { setRouteGetter } from './set-route';

interface HapiRouteLike {
  path?: unknown;
}

interface HapiRequestLike {
  route?: HapiRouteLike;
  _route?: unknown;
  _core?: { router?: { specials?: { notFound?: { route?: unknown } } } };
}

type Generate = (server: unknown, req: unknown, res: unknown, options: unknown) => HapiRequestLike;

/**
 * Hapi builds its request object in `Request.generate` (lib/request.js, reached through CommonJS even
 * when the app imports @hapi/hapi as ESM) and routes it later: the template is read at response close.
 */
export function patchHapiRequest(Request: unknown): void {
  const target = Request as { generate?: Generate };
  if (typeof target?.generate !== 'function' || (target.generate as { __wrapped?: boolean }).__wrapped) return;
  shimmer.wrap(target as Record<'generate', Generate>, 'generate', (original) =>
    function generate(this: unknown, _server: unknown, req: unknown, _res: unknown, _options: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const request = original.apply(this, arguments as unknown as Parameters<Generate>);
      try {
        setRouteGetter(req, () => routeOf(request));
      } catch {}
      return request;
    },
  );
}

function routeOf(request: HapiRequestLike): unknown {
  // Until routing (and for unmatched paths) hapi points at its catch-all not-found route: no template.
  if (request._route === request._core?.router?.specials?.notFound?.route) return undefined;
  return request.route?.path;
}
