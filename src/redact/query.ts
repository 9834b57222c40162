import { censor } from './censor';

export type NamePredicate = (name: string) => boolean;

/** The replacement for one named value (a query or form pair, a cookie); undefined keeps it. */
export type ValueRule = (name: string, value: string) => string | undefined;

/** A ValueRule that censors the values of denied names. */
export function censoring(denied: NamePredicate): ValueRule {
  return (name, value) => (denied(name) ? censor(value) : undefined);
}

/**
 * Rewrites the values of an application/x-www-form-urlencoded string (a query, a form body, a fragment)
 * as `rule` says; undefined when nothing changed. Names and values are decoded exactly as URLSearchParams
 * decodes them (which is how the builder made `queryString`), and untouched pairs keep their bytes.
 */
export function redactQuery(query: string, rule: ValueRule): string | undefined {
  if (query === '') return undefined;
  const decoded = [...new URLSearchParams(query)];
  const pairs = query.split('&');
  let changed = false;
  let d = 0;
  for (let k = 0; k < pairs.length; k++) {
    const pair = pairs[k];
    // URLSearchParams skips empty pairs, so they do not advance through `decoded`.
    if (pair === '') continue;
    const entry = decoded[d++];
    if (!entry) continue;
    const replacement = rule(entry[0], entry[1]);
    if (replacement === undefined) continue;
    const eq = pair.indexOf('=');
    pairs[k] = `${eq === -1 ? pair : pair.slice(0, eq)}=${encodeURIComponent(replacement)}`;
    changed = true;
  }
  return changed ? pairs.join('&') : undefined;
}

/**
 * A fragment's parameters: OAuth's implicit flow puts `#access_token=...&state=...` there, and hash
 * routers put a query after the route (`#/callback?token=...`).
 */
function redactFragment(fragment: string, rule: ValueRule): string | undefined {
  const q = fragment.indexOf('?');
  if (q === -1) return redactQuery(fragment, rule);
  const query = redactQuery(fragment.slice(q + 1), rule);
  return query === undefined ? undefined : fragment.slice(0, q + 1) + query;
}

/** A URL with the values of its query and fragment parameters rewritten by `rule`; the same string when none. */
export function redactUrl(url: string, rule: ValueRule): string {
  const hash = url.indexOf('#');
  const end = hash === -1 ? url.length : hash;
  const q = url.indexOf('?');
  const hasQuery = q !== -1 && q < end;
  const query = hasQuery ? redactQuery(url.slice(q + 1, end), rule) : undefined;
  const fragment = hash === -1 ? undefined : redactFragment(url.slice(hash + 1), rule);
  if (query === undefined && fragment === undefined) return url;
  const head = hasQuery ? url.slice(0, q + 1) + (query ?? url.slice(q + 1, end)) : url.slice(0, end);
  return hash === -1 ? head : `${head}#${fragment ?? url.slice(hash + 1)}`;
}

const LINK_TARGET = /<([^>]*)>/g;
const REFRESH_URL = /^(\s*\d*\.?\d*\s*[;,]\s*(?:url\s*=\s*)?)(['"]?)(.*?)\2\s*$/i;

/**
 * A URL-valued header with its parameters rewritten: `Link` holds one `<url>` per link, `Refresh` a delay
 * then `url=...`, the others (Location, Referer...) are one URL.
 */
export function redactUrlHeader(lowerName: string, value: string, rule: ValueRule): string {
  if (lowerName === 'link') return value.replace(LINK_TARGET, (_whole: string, target: string) => `<${redactUrl(target, rule)}>`);
  if (lowerName === 'refresh') {
    const m = REFRESH_URL.exec(value);
    return m && m[3] !== '' ? `${m[1]}${m[2]}${redactUrl(m[3], rule)}${m[2]}` : value;
  }
  return redactUrl(value, rule);
}
