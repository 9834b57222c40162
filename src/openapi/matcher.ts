import { match, type MatchFunction } from 'path-to-regexp';
import type { Definition, DocumentedOperation } from './definition';

/** A request matched to its documented operation. */
export interface Matched {
  operation: DocumentedOperation;
  /** The full path template as the app serves it, base path included, e.g. `/v1/books/:id`. */
  template: string;
}

interface CompiledPath {
  path: string;
  /** `oas`'s normalized form: `{book-id}` becomes `:bookid`. */
  cleaned: string;
  match: MatchFunction<Partial<Record<string, string | string[]>>>;
  byMethod: Map<string, DocumentedOperation>;
}

/**
 * Matches requests to operations the way ReadMe's `oas` library does (`Oas#findOperation`): paths
 * normalized to path-to-regexp syntax, the request's path taken after the server's base path, and
 * among several matches the one with the fewest parameters (the last one on a tie). `oas` itself is
 * not loaded: 40 packages and 21 MB installed, 250 ms and 11 MB to load, for this one function.
 */
export class OperationMatcher {
  private readonly paths: CompiledPath[] = [];

  constructor(readonly definition: Definition) {
    const byPath = new Map<string, CompiledPath>();
    for (const op of definition.operations) {
      let compiled = byPath.get(op.path);
      if (!compiled) {
        const cleaned = normalizePath(op.path);
        let fn: CompiledPath['match'];
        try {
          fn = match(cleaned, { decode: decodeURIComponent });
        } catch {
          continue; // a path path-to-regexp cannot read: oas skips it too
        }
        compiled = { path: op.path, cleaned: cleaned.replace(/\\::/, '::'), match: fn, byMethod: new Map() };
        byPath.set(op.path, compiled);
        this.paths.push(compiled);
      }
      compiled.byMethod.set(op.method, op);
    }
  }

  /** `target` is the request target (`/v1/books/1?x=y`) or a full URL. */
  find(method: string, target: string): Matched | undefined {
    const path = pathOf(target);
    const m = method.toUpperCase();
    for (const base of this.definition.basePaths) {
      if (base !== '' && path !== base && !path.startsWith(`${base}/`)) continue;
      const rest = path.slice(base.length) || '/';
      let best: { compiled: CompiledPath; params: number } | undefined;
      for (const compiled of this.paths) {
        if (!compiled.byMethod.has(m)) continue;
        let result: ReturnType<CompiledPath['match']>;
        try {
          result = compiled.match(rest);
        } catch {
          continue; // a malformed escape in the request's path
        }
        if (!result) continue;
        const params = Object.keys(result.params).length;
        if (!best || params <= best.params) best = { compiled, params };
      }
      if (best) return { operation: best.compiled.byMethod.get(m)!, template: base + best.compiled.cleaned };
    }
    return undefined;
  }
}

/** Exactly `oas`'s normalizePath: `{id}` → `:id`, dashes dropped from names, repeated names suffixed. */
export function normalizePath(path: string): string {
  const used = new Set<string>();
  return path
    .replace(/({?){(.*?)}(}?)/g, (_s, _open: string, inner: string) => {
      const base = inner.replaceAll('-', '');
      let name = base;
      let suffix = 2;
      while (used.has(name)) name = `${base}_${suffix++}`;
      used.add(name);
      return `:${name}`;
    })
    .replace(/::/, '\\::')
    .split('?')[0];
}

function pathOf(target: string): string {
  let p = target;
  const scheme = p.indexOf('://');
  if (scheme !== -1) {
    const slash = p.indexOf('/', scheme + 3);
    p = slash === -1 ? '/' : p.slice(slash);
  }
  const q = p.search(/[?#]/);
  return q === -1 ? p : p.slice(0, q);
}
