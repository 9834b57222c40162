import type { Caller } from './normalize';

export const ANONYMOUS: Readonly<Caller> = Object.freeze({ apiKey: 'anonymous', label: 'Anonymous' });

const KEY_HEADER = /api[-_]?key/i;

/**
 * The built-in caller finder used when no grouping function is configured: a Bearer token, the user of
 * Basic auth, an *api-key* header, or an api_key/apiKey query parameter. Requests with none of these
 * are still logged, as one stable anonymous group: failed auth is what users debug most.
 */
export function findCaller(rawHeaders: readonly string[], url: string): Caller {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1].trim();
    if (!value) continue;
    if (name === 'authorization') {
      const [scheme, credentials = ''] = value.split(/\s+/, 2);
      if (/^bearer$/i.test(scheme) && credentials) return { apiKey: credentials, label: label(credentials) };
      if (/^basic$/i.test(scheme) && credentials) {
        const user = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0];
        if (user) return { apiKey: user, label: user };
      }
    }
  }
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const value = rawHeaders[i + 1].trim();
    if (value && KEY_HEADER.test(rawHeaders[i])) return { apiKey: value, label: label(value) };
  }
  const q = url.indexOf('?');
  if (q !== -1) {
    const params = new URLSearchParams(url.slice(q + 1));
    const key = params.get('api_key') ?? params.get('apiKey');
    if (key) return { apiKey: key, label: label(key) };
  }
  return ANONYMOUS;
}

/** A label that identifies a key in the dashboard without printing it. */
function label(key: string): string {
  return `Key ending in ${key.slice(-4)}`;
}
