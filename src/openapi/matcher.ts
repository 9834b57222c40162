import { match, type MatchFunction } from 'path-to-regexp';
import type { Definition, DocumentedOperation } from './definition';

const SMALL_DEFINITION = 16;

/** A request matched to its documented operation. */
export interface Matched {
  operation: DocumentedOperation;
  /** The full path template as the app serves it, base path included, e.g. `/v1/books/:id`. */
  template: string;
}

interface CompiledPath {
  /** Position in the definition: among equally specific matches, the last one wins (as in oas). */
  index: number;
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
  /**
   * Candidates by segment count, then by first segment (lower-cased: path-to-regexp matches ignoring
   * case; '' holds paths that start with a parameter). A definition of 1,000 paths costs a few
   * regex tests per request instead of 1,000.
   */
  private readonly index = new Map<number, Map<string, CompiledPath[]>>();
  /** Paths whose shape the index cannot tell (wildcards, optional groups, escapes): always tried. */
  private readonly unindexed: CompiledPath[] = [];

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
        compiled = { index: this.paths.length, path: op.path, cleaned: cleaned.replace(/\\::/, '::'), match: fn, byMethod: new Map() };
        byPath.set(op.path, compiled);
        this.paths.push(compiled);
        this.addToIndex(compiled, cleaned);
      }
      compiled.byMethod.set(op.method, op);
    }
    this.seal();
  }

  /** `target` is the request target (`/v1/books/1?x=y`) or a full URL. */
  find(method: string, target: string): Matched | undefined {
    const path = pathOf(target);
    const m = method.toUpperCase();
    const lower = path.toLowerCase();
    for (const base of this.definition.basePaths) {
      // oas splits the URL on the server's URL ignoring case.
      const b = base.toLowerCase();
      if (b !== '' && lower !== b && !lower.startsWith(`${b}/`)) continue;
      const rest = path.slice(base.length) || '/';
      let best: { compiled: CompiledPath; params: number } | undefined;
      for (const compiled of this.candidates(rest)) {
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

  private addToIndex(compiled: CompiledPath, cleaned: string): void {
    if (/[*{}()[\]?+!\\]/.test(cleaned)) {
      this.unindexed.push(compiled);
      return;
    }
    const segments = segmentsOf(cleaned);
    const first = segments[0]?.includes(':') ? '' : (segments[0] ?? '').toLowerCase();
    let byFirst = this.index.get(segments.length);
    if (!byFirst) this.index.set(segments.length, (byFirst = new Map()));
    let list = byFirst.get(first);
    if (!list) byFirst.set(first, (list = []));
    list.push(compiled);
  }

  /**
   * Each bucket becomes the full candidate list for its requests (its paths, those starting with a
   * parameter, the unindexed ones) in the definition's order, so a request allocates nothing.
   */
  private seal(): void {
    const byIndex = (a: CompiledPath, b: CompiledPath): number => a.index - b.index;
    for (const [count, byFirst] of this.index) {
      const leading = byFirst.get('') ?? [];
      for (const [first, list] of byFirst) {
        byFirst.set(first, first === '' ? [...list, ...this.unindexed].sort(byIndex) : [...list, ...leading, ...this.unindexed].sort(byIndex));
      }
      if (!byFirst.has('')) byFirst.set('', [...this.unindexed]);
      this.index.set(count, byFirst);
    }
  }

  /** The paths that could match, in the definition's order. */
  private candidates(path: string): readonly CompiledPath[] {
    // A small definition is tried whole: cheaper than splitting the path to look it up.
    if (this.paths.length <= SMALL_DEFINITION) return this.paths;
    const segments = segmentsOf(path);
    const byFirst = this.index.get(segments.length);
    if (!byFirst) return this.unindexed;
    return byFirst.get((segments[0] ?? '').toLowerCase()) ?? byFirst.get('')!;
  }
}

/** `/a/b/` and `/a/b` alike (path-to-regexp allows one trailing slash). */
function segmentsOf(path: string): string[] {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '' ? [] : trimmed.slice(1).split('/');
}

/** Exactly `oas`'s normalizePath: `{id}` → `:id`, dashes dropped from names, repeated names suffixed. */
function normalizePath(path: string): string {
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
