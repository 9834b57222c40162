import type { IncomingMessage } from 'node:http';
import type { Config } from './config/resolve';

/** Request-level rules decided before any capture work: methods, hosts, paths and sampling. */
export function shouldLog(req: IncomingMessage, c: Readonly<Config>, sample = Math.random): boolean {
  if (c.ignoreMethods.length > 0 && methodIgnored(req.method ?? 'GET', c.ignoreMethods)) return false;
  // Only read when needed: req.headers is built from rawHeaders on first use.
  if (c.allowedHttpHosts && !hostAllowed(hostOf(req), c.allowedHttpHosts)) return false;
  if (c.ignorePaths && pathIgnored(req.url ?? '/', c.ignorePaths)) return false;
  if (c.sampleRate < 1 && sample() >= c.sampleRate) return false;
  return true;
}

/** HTTP/2 requests carry the host in :authority and often have no Host header at all. */
function hostOf(req: IncomingMessage): string | undefined {
  return req.headers.host ?? (req.headers as Record<string, string | undefined>)[':authority'];
}

// Per request this is one Set lookup: the upper-cased list is built once for the config's list (a
// process has one config; a comparison costs less than a WeakMap's lookup, on every request).
let methodList: readonly string[] | null = null;
let methodSet = new Set<string>();

function methodIgnored(method: string, ignored: readonly string[]): boolean {
  if (ignored !== methodList) {
    methodSet = new Set(ignored.map((m) => m.toUpperCase()));
    methodList = ignored;
  }
  const set = methodSet;
  // Node's HTTP/1 parser only accepts upper-case methods; toUpperCase, a runtime call, only when needed.
  return set.has(method) || (hasLowerCase(method) && set.has(method.toUpperCase()));
}

function hasLowerCase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return true;
  }
  return false;
}

/** A Host matches an entry with or without its port. */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  const withoutPort = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0];
  return allowed.some((a) => {
    const entry = a.toLowerCase();
    return entry === h || entry === withoutPort;
  });
}

const globs = new Map<string, RegExp>();

export function pathIgnored(url: string, patterns: ReadonlyArray<string | RegExp>): boolean {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return patterns.some((p) => (typeof p === 'string' ? globToRegExp(p).test(path) : p.test(path)));
}

function globToRegExp(glob: string): RegExp {
  let re = globs.get(glob);
  if (!re) {
    const body = glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    globs.set(glob, re);
  }
  return re;
}
