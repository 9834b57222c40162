import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** HTTP methods a path item can hold (OpenAPI 3.x and Swagger 2 alike). */
export const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One documented operation: its method, its path as written, and the status codes it documents. */
export interface DocumentedOperation {
  method: string;
  /** As written in the definition, e.g. `/books/{id}`. */
  path: string;
  /** The response keys as written: `200`, `4XX`, `default`. */
  responses: string[];
}

/** What the SDK and the inspector need from a definition: base paths and operations. */
export interface Definition {
  file: string;
  /** Path prefixes the operations are served under (`servers[].url` or Swagger 2's `basePath`), longest first. */
  basePaths: string[];
  operations: DocumentedOperation[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Reads and checks a definition; throws an Error whose message says what is wrong with the file. */
export function readDefinition(file: string): Definition {
  const text = readFileSync(file, 'utf8');
  const ext = extname(file).toLowerCase();
  let doc: unknown;
  if (ext === '.yaml' || ext === '.yml') {
    // Loaded only for YAML definitions: JSON ones never pay for the parser.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require('js-yaml') as typeof import('js-yaml');
    doc = yaml.load(text);
  } else {
    doc = JSON.parse(text);
  }
  return fromDocument(doc, file);
}

export function fromDocument(doc: unknown, file: string): Definition {
  if (!isObj(doc)) throw new Error('not an object');
  const v3 = typeof doc.openapi === 'string' && doc.openapi.startsWith('3.');
  const v2 = doc.swagger === '2.0';
  if (!v3 && !v2) throw new Error('neither an OpenAPI 3.x (openapi: 3.x) nor a Swagger 2.0 (swagger: "2.0") document');
  if (!isObj(doc.paths)) throw new Error('it has no paths object');
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const pathItem = resolveRef(item, doc);
    if (!isObj(pathItem)) continue;
    for (const method of METHODS) {
      const op = resolveRef(pathItem[method], doc);
      if (!isObj(op)) continue;
      operations.push({ method: method.toUpperCase(), path, responses: isObj(op.responses) ? Object.keys(op.responses) : [] });
    }
  }
  return { file, basePaths: basePaths(doc, v3), operations };
}

function basePaths(doc: Obj, v3: boolean): string[] {
  const bases = new Set<string>();
  if (v3 && Array.isArray(doc.servers)) {
    for (const server of doc.servers) {
      if (isObj(server) && typeof server.url === 'string') bases.add(serverPath(server.url, isObj(server.variables) ? server.variables : {}));
    }
  } else if (!v3 && typeof doc.basePath === 'string') {
    bases.add(trimSlash(doc.basePath));
  }
  if (bases.size === 0) bases.add('');
  return [...bases].sort((a, b) => b.length - a.length);
}

/** The path part of a server URL, its variables at their defaults (as `oas` fills them). */
function serverPath(url: string, variables: Obj): string {
  const filled = url.replace(/\{([^}]+)\}/g, (m, name: string) => {
    const v = variables[name];
    return isObj(v) && v.default !== undefined ? String(v.default) : m;
  });
  try {
    return trimSlash(new URL(filled, 'http://relative.invalid').pathname);
  } catch {
    return '';
  }
}

function trimSlash(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' || t.startsWith('/') ? t : `/${t}`;
}

/** Local `$ref`s only (`#/...`), as path items and operations use them. */
function resolveRef(v: unknown, doc: Obj): unknown {
  for (let hops = 0; isObj(v) && typeof v.$ref === 'string' && hops < 8; hops++) {
    const ref = v.$ref;
    if (!ref.startsWith('#/')) return undefined;
    let cur: unknown = doc;
    for (const part of ref.slice(2).split('/')) {
      cur = isObj(cur) ? cur[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    v = cur;
  }
  return v;
}
