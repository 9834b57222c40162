import type { Agent as UndiciAgent, Dispatcher } from 'undici';

/** What the Metrics API client takes from undici. */
export interface UndiciParts {
  Agent: typeof UndiciAgent;
  request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  /** Whether only the Agent and request() were loaded, not undici's whole index. */
  lean: boolean;
}

type Load = (id: string) => unknown;
type RequestApi = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/**
 * undici's Agent and request() without its index, which also loads fetch, WebSocket, the mocks and the
 * caches: 7 MB of RSS and 70 ms of CPU more for every thread that sends (benchmarks/README.md, "The
 * worker's cost per log", memory). The paths are internal and may move in a minor release: then the
 * index is used.
 */
export function loadUndici(load: Load = require): UndiciParts {
  try {
    const Agent = load('undici/lib/dispatcher/agent.js');
    const request = load('undici/lib/api/api-request.js');
    if (typeof Agent === 'function' && typeof request === 'function' && typeof (Agent as typeof UndiciAgent).prototype.dispatch === 'function') {
      const api = request as RequestApi;
      return { Agent: Agent as typeof UndiciAgent, request: (dispatcher, options) => api.call(dispatcher, options), lean: true };
    }
  } catch {
    // Moved or reshaped: the index below has the same parts.
  }
  const undici = load('undici') as typeof import('undici');
  return { Agent: undici.Agent, request: (dispatcher, options) => dispatcher.request(options), lean: false };
}
