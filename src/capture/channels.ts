// Every diagnostics channel the SDK subscribes to, in one place (as undici keeps its own table).
export const CHANNELS = {
  /** Published by node:http (and so https) before the server emits 'request'. */
  serverRequestStart: 'http.server.request.start',
  /** Published by node:net once a server is bound (Node 20.16+, 22.3+): the process is a server now. */
  serverListening: 'tracing:net.server.listen:asyncEnd',
  /** Published by Fastify 4 and 5 (CJS and ESM alike) for every new instance, before any plugin loads. */
  fastifyInitialization: 'fastify.initialization',
} as const;
