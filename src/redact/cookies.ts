import type { ValueRule } from './query';

/** Rewrites one `name=value` pair as `rule` says, keeping the bytes around the value; undefined when kept. */
function rewritePair(pair: string, rule: ValueRule): string | undefined {
  const eq = pair.indexOf('=');
  const name = eq === -1 ? '' : pair.slice(0, eq).trim();
  const raw = eq === -1 ? pair : pair.slice(eq + 1);
  const value = raw.trim();
  const replacement = rule(name, value);
  if (replacement === undefined) return undefined;
  const lead = raw.length - raw.trimStart().length;
  const trail = raw.length - raw.trimEnd().length;
  return `${eq === -1 ? '' : pair.slice(0, eq + 1)}${raw.slice(0, lead)}${replacement}${raw.slice(raw.length - trail)}`;
}

/** A Cookie header (`a=1; b=2`) with the values of denied cookies replaced; the same string when none. */
export function redactCookieHeader(value: string, rule: ValueRule): string {
  const pairs = value.split(';');
  let changed = false;
  for (let k = 0; k < pairs.length; k++) {
    if (pairs[k].trim() === '') continue;
    const pair = rewritePair(pairs[k], rule);
    if (pair === undefined) continue;
    pairs[k] = pair;
    changed = true;
  }
  return changed ? pairs.join(';') : value;
}

/** A Set-Cookie header with the cookie's value replaced when its name is denied; attributes are kept. */
export function redactSetCookieHeader(value: string, rule: ValueRule): string {
  const semi = value.indexOf(';');
  const first = semi === -1 ? value : value.slice(0, semi);
  const pair = rewritePair(first, rule);
  return pair === undefined ? value : pair + (semi === -1 ? '' : value.slice(semi));
}
