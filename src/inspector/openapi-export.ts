import type { StoredLog } from './store';
import { toHar } from './har-export';

/**
 * An OpenAPI document inferred from the traffic, with ReadMe's `har-to-openapi`: a starting point for
 * an API that has none. Loaded only when asked for (it pulls in quicktype); it is an optional peer
 * dependency, so an install without it answers with the command that adds it.
 */
export async function inferOpenApi(logs: readonly StoredLog[]): Promise<{ status: number; body: unknown }> {
  let generateSpec: (har: unknown, config?: Record<string, unknown>) => Promise<{ spec: unknown }>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ generateSpec } = require('har-to-openapi') as { generateSpec: typeof generateSpec });
  } catch {
    return { status: 501, body: { error: 'inferring an OpenAPI document needs har-to-openapi: npm install -D har-to-openapi' } };
  }
  const har = toHar(logs.map((s) => withTemplatedUrl(s.log)));
  const { spec } = await generateSpec(har, {
    forceAllRequestsInSameSpec: true,
    relaxedMethods: false,
    // /books/1 and /books/2 become /books/{id}: numeric and UUID segments are taken as parameters.
    attemptToParameterizeUrl: true,
    dropPathsWithoutSuccessfulResponse: false,
    guessAuthenticationHeaders: true,
  });
  return { status: 200, body: tidy(spec) };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Where the SDK knew the route template (pageref `http://host/users/:id`), har-to-openapi is given the
 * template as the URL's path, so /users/1 and /users/2 make one operation; `:id` survives URL parsing
 * where `{id}` would be percent-encoded, and tidy() turns it into an OpenAPI parameter.
 */
function withTemplatedUrl(log: Obj): Obj {
  const har = isObj(log.request) && isObj(log.request.log) ? log.request.log : undefined;
  const entry = Array.isArray(har?.entries) && isObj(har.entries[0]) ? har.entries[0] : undefined;
  const request = entry && isObj(entry.request) ? entry.request : undefined;
  if (!har || !entry || !request || typeof entry.pageref !== 'string' || typeof request.url !== 'string') return log;
  try {
    const url = new URL(request.url);
    const template = new URL(entry.pageref).pathname;
    if (!template.includes('/:')) return log;
    const templated = `${url.origin}${template}${url.search}`;
    return { ...log, request: { ...log.request as Obj, log: { ...har, entries: [{ ...entry, request: { ...request, url: templated } }] } } };
  } catch {
    return log;
  }
}

/**
 * Makes the inferred document valid OpenAPI: `:name` path segments become `{name}` with their path
 * parameters declared, and empty `required` arrays (which OpenAPI 3.0 schemas forbid) are dropped.
 */
function tidy(spec: unknown): unknown {
  if (!isObj(spec) || !isObj(spec.paths)) return spec;
  const paths: Obj = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    const names: string[] = [];
    const openapiPath = path.replace(/\/:([A-Za-z_][\w]*)/g, (_m, name: string) => {
      names.push(name);
      return `/{${name}}`;
    });
    if (names.length && isObj(item)) {
      const declared = Array.isArray(item.parameters) ? (item.parameters as Obj[]) : [];
      const missing = names.filter((n) => !declared.some((p) => p.in === 'path' && p.name === n));
      item.parameters = [...declared, ...missing.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }))];
    }
    paths[openapiPath] = item;
  }
  spec.paths = paths;
  dropEmptyRequired(spec, 0);
  return spec;
}

function dropEmptyRequired(v: unknown, depth: number): void {
  if (depth > 64) return;
  if (Array.isArray(v)) for (const item of v) dropEmptyRequired(item, depth + 1);
  else if (isObj(v)) {
    if (Array.isArray(v.required) && v.required.length === 0) delete v.required;
    for (const child of Object.values(v)) dropEmptyRequired(child, depth + 1);
  }
}
