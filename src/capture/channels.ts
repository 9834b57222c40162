// Every diagnostics channel the SDK subscribes to, in one place (as undici keeps its own table).
export const CHANNELS = {
  /** Published by node:http (and so https) before the server emits 'request'. */
  serverRequestStart: 'http.server.request.start',
} as const;
