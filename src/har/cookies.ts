import type { HarCookie, NameValue } from './types';

// HAR's cookies arrays mirror the Cookie and Set-Cookie headers, so a cookie's value can be judged by its
// name like any other field. Parsing is lenient (RFC 6265 section 5): what browsers accept, we read.

function split(pair: string): { name: string; value: string } {
  const eq = pair.indexOf('=');
  // A pair without "=" is a cookie with an empty name (RFC 6265bis): the whole pair is its value.
  return eq === -1 ? { name: '', value: pair.trim() } : { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
}

/** The cookies of every Cookie header, in order: name and value only, as HAR 1.2 has them. */
export function requestCookies(headers: readonly NameValue[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const h of headers) {
    if (h.name.length !== 6 || h.name.toLowerCase() !== 'cookie') continue;
    for (const pair of h.value.split(';')) {
      if (pair.trim() === '') continue;
      out.push(split(pair));
    }
  }
  return out;
}

/** One cookie per Set-Cookie header, with the attributes HAR 1.2 knows. */
export function responseCookies(headers: readonly NameValue[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const h of headers) {
    if (h.name.length !== 10 || h.name.toLowerCase() !== 'set-cookie') continue;
    const [first, ...attributes] = h.value.split(';');
    const cookie: HarCookie = split(first);
    for (const attribute of attributes) {
      const { name, value } = split(attribute);
      const key = (name === '' ? value : name).toLowerCase();
      if (key === 'path') cookie.path = value;
      else if (key === 'domain') cookie.domain = value;
      else if (key === 'expires') cookie.expires = isoDate(value);
      else if (key === 'httponly') cookie.httpOnly = true;
      else if (key === 'secure') cookie.secure = true;
    }
    out.push(cookie);
  }
  return out;
}

function isoDate(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}
