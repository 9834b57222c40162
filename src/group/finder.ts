import type { Caller } from './normalize';

export const ANONYMOUS: Readonly<Caller> = Object.freeze({ apiKey: 'anonymous', label: 'Anonymous' });

const KEY_HEADER = /api[-_]?key/i;
const AUTHORIZATION = 'authorization';

/**
 * Whether a header's name is Authorization, in any case. The length first: lower-casing every name of
 * every request for this one showed in the worker's profiles.
 */
export function isAuthorization(name: string): boolean {
  return name.length === AUTHORIZATION.length && name.toLowerCase() === AUTHORIZATION;
}

/** Query parameters the finder takes a key from. */
export const KEY_PARAMS: ReadonlySet<string> = new Set(['api_key', 'apiKey']);

/** Headers (lower-cased names) whose value is a credential the finder or a proxy reads: they leave only masked. */
export function isCredentialHeader(lower: string): boolean {
  return lower === 'authorization' || lower === 'proxy-authorization' || (lower.includes('key') && KEY_HEADER.test(lower));
}

/**
 * The built-in caller finder used when no grouping function is configured: a Bearer token, the user of
 * Basic auth (its password when the user is empty, as in `curl -u :key`), an *api-key* header, or an
 * api_key/apiKey query parameter. Requests with none of these are still logged, as one stable anonymous
 * group: failed auth is what users debug most. A key is a credential, so its label never shows it.
 */
export function findCaller(rawHeaders: readonly string[], url: string): Caller {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!isAuthorization(rawHeaders[i])) continue;
    const value = rawHeaders[i + 1].trim();
    if (!value) continue;
    const [scheme, credentials = ''] = value.split(/\s+/, 2);
    if (/^bearer$/i.test(scheme) && credentials) return keyCaller(credentials);
    if (/^basic$/i.test(scheme) && credentials) {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon === -1 ? decoded : decoded.slice(0, colon);
      const key = user || (colon === -1 ? '' : decoded.slice(colon + 1));
      if (key) return keyCaller(key);
    }
  }
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const value = rawHeaders[i + 1].trim();
    if (value && KEY_HEADER.test(rawHeaders[i])) return keyCaller(value);
  }
  const q = url.indexOf('?');
  if (q !== -1) {
    const hash = url.indexOf('#', q);
    const params = new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash));
    for (const name of KEY_PARAMS) {
      const key = params.get(name);
      if (key) return keyCaller(key);
    }
  }
  return ANONYMOUS;
}

/** A label that identifies a key in the dashboard without printing it. */
function keyCaller(key: string): Caller {
  return { apiKey: key, label: `Key ending in ${key.slice(-4)}` };
}
