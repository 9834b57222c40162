import type { IncomingMessage } from 'node:http';

/**
 * What Express writes on its request that the SDK watches (routes/express.ts): the values Express
 * and the app read back, and the template worked out as they were written. One object per request,
 * behind one hidden property: each defineProperty on a request costs (see observe.ts), so all of
 * Express's fields share it, and later writes are plain field stores on an object of ours.
 */
export interface ExpressState {
  route: unknown;
  baseUrl: unknown;
  /** The template of the route that matched the URL as sent, with its mount path's template. */
  template: string | undefined;
  /** Concrete mount path → its template, only once a mount had parameters. */
  mounts: Map<string, string> | null;
}

const EXPRESS_STATE = Symbol('readme-metrics.express');

type WithState = IncomingMessage & { [EXPRESS_STATE]?: ExpressState };

export function stateOf(req: object): ExpressState {
  const r = req as WithState;
  if (Object.prototype.hasOwnProperty.call(r, EXPRESS_STATE)) return r[EXPRESS_STATE]!;
  const state: ExpressState = { route: undefined, baseUrl: undefined, template: undefined, mounts: null };
  Object.defineProperty(r, EXPRESS_STATE, { value: state, configurable: true, enumerable: false, writable: false });
  return state;
}

/** The state of a request Express wrote to, without making one. */
export function existingState(req: object): ExpressState | undefined {
  const r = req as WithState;
  return Object.prototype.hasOwnProperty.call(r, EXPRESS_STATE) ? r[EXPRESS_STATE] : undefined;
}
