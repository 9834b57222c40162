import { censor } from './censor';

export type NamePredicate = (name: string) => boolean;

/**
 * Redacts the values of an application/x-www-form-urlencoded string (a query, a form body) whose
 * decoded name is denied; undefined when nothing was. Names are decoded exactly as URLSearchParams
 * decodes them (which is how the builder made `queryString`), and untouched pairs keep their bytes.
 */
export function redactQuery(query: string, denied: NamePredicate): string | undefined {
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
    if (!entry || !denied(entry[0])) continue;
    const eq = pair.indexOf('=');
    pairs[k] = `${eq === -1 ? pair : pair.slice(0, eq)}=${encodeURIComponent(censor(entry[1]))}`;
    changed = true;
  }
  return changed ? pairs.join('&') : undefined;
}

/** A URL with the denied values of its query redacted (the fragment is left alone); the same string when none. */
export function redactUrl(url: string, denied: NamePredicate): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const end = hash === -1 ? url.length : hash;
  const query = redactQuery(url.slice(q + 1, end), denied);
  return query === undefined ? url : url.slice(0, q + 1) + query + url.slice(end);
}
