import type { HarCookie, NameValue } from './types';

// HAR's cookies arrays mirror the Cookie and Set-Cookie headers, so a cookie's value can be judged by its
// name like any other field. Parsing is lenient (RFC 6265 section 5): what browsers accept, we read.

/** The pair in s[start, end): a pair without "=" is a cookie with an empty name (RFC 6265bis). */
function pair(s: string, start: number, end: number): HarCookie {
  const eq = s.indexOf('=', start);
  if (eq === -1 || eq >= end) return { name: '', value: s.slice(start, end).trim() };
  return { name: s.slice(start, eq).trim(), value: s.slice(eq + 1, end).trim() };
}

/** The cookies of every Cookie header, in order: name and value only, as HAR 1.2 has them. */
export function requestCookies(headers: readonly NameValue[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const h of headers) {
    if (h.name.length !== 6 || h.name.toLowerCase() !== 'cookie') continue;
    const v = h.value;
    for (let start = 0; start <= v.length; ) {
      let end = v.indexOf(';', start);
      if (end === -1) end = v.length;
      if (v.slice(start, end).trim() !== '') out.push(pair(v, start, end));
      start = end + 1;
    }
  }
  return out;
}

/** One cookie per Set-Cookie header, with the attributes HAR 1.2 knows. */
export function responseCookies(headers: readonly NameValue[]): HarCookie[] {
  const out: HarCookie[] = [];
  for (const h of headers) {
    if (h.name.length !== 10 || h.name.toLowerCase() !== 'set-cookie') continue;
    const v = h.value;
    const semi = v.indexOf(';');
    const cookie = pair(v, 0, semi === -1 ? v.length : semi);
    if (semi !== -1) attributes(cookie, v.slice(semi + 1));
    out.push(cookie);
  }
  return out;
}

function attributes(cookie: HarCookie, list: string): void {
  for (const attribute of list.split(';')) {
    const eq = attribute.indexOf('=');
    const key = (eq === -1 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : attribute.slice(eq + 1).trim();
    if (key === 'path') cookie.path = value;
    else if (key === 'domain') cookie.domain = value;
    else if (key === 'expires') cookie.expires = isoDate(value);
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'secure') cookie.secure = true;
  }
}

function isoDate(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}
