// Parsers shared by environment variables and config-file values. Each returns the value or throws a
// SettingError whose message says what was expected; the caller adds which setting it was.

export class SettingError extends Error {}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function parseBoolean(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && TRUE.has(v.trim().toLowerCase())) return true;
  if (typeof v === 'string' && FALSE.has(v.trim().toLowerCase())) return false;
  throw new SettingError('must be true/false/1/0/yes/no');
}

/** Environment values arrive as strings; the file may hold real numbers. */
function numeric(v: unknown): unknown {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
}

function numberParser(accept: (n: number) => boolean, expected: string): (v: unknown) => number {
  return (v) => {
    const n = numeric(v);
    if (typeof n === 'number' && accept(n)) return n;
    throw new SettingError(expected);
  };
}

export const parsePositiveInteger = numberParser((n) => Number.isInteger(n) && n > 0, 'must be a whole number > 0');
export const parseNonNegativeInteger = numberParser((n) => Number.isInteger(n) && n >= 0, 'must be a whole number >= 0');
export const parseSeconds = numberParser((n) => Number.isFinite(n) && n > 0, 'must be a number of seconds > 0');
export const parseRatio = numberParser((n) => n >= 0 && n <= 1, 'must be a number from 0 to 1');

/** One of a fixed set of words, compared without case. */
export function oneOf<T extends string>(...words: T[]): (v: unknown) => T {
  return (v) => {
    const w = typeof v === 'string' ? v.trim().toLowerCase() : undefined;
    const found = words.find((x) => x === w);
    if (found) return found;
    throw new SettingError(`must be ${words.join(' or ')}`);
  };
}

export function parseString(v: unknown): string {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  throw new SettingError('must be a non-empty string');
}

export function parseUrl(v: unknown): string {
  const s = parseString(v);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new SettingError('must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingError('must be an absolute http(s) URL');
  return s.replace(/\/+$/, '');
}

/** A URL path as the request line carries it: no query, no fragment. */
export function parsePath(v: unknown): string {
  const s = parseString(v);
  if (!s.startsWith('/') || /[?#\s]/.test(s)) throw new SettingError('must be a path starting with / (no query string)');
  return s;
}

export function parseStringList(v: unknown): string[] {
  if (typeof v === 'string') {
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s) => s.trim()).filter(Boolean);
  throw new SettingError('must be a list of strings (comma-separated in the environment)');
}

export function parsePatternList(v: unknown): Array<string | RegExp> {
  if (typeof v === 'string') return parseStringList(v);
  if (Array.isArray(v) && v.every((s) => typeof s === 'string' || s instanceof RegExp)) return v;
  throw new SettingError('must be a list of paths, globs or RegExps');
}

export function parseFunction(v: unknown): (...args: never[]) => unknown {
  if (typeof v === 'function') return v as (...args: never[]) => unknown;
  throw new SettingError('must be a function');
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (v instanceof RegExp) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
