import type { NameValue } from './types';

export function pairsFromRaw(raw: readonly string[]): NameValue[] {
  const out: NameValue[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i], value: raw[i + 1] });
  return out;
}

/** Parses the header block Node actually sent ("HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n"). */
export function parseHeaderBlock(block: string): { statusText: string | undefined; headers: NameValue[] } {
  const lines = block.split('\r\n');
  const status = /^HTTP\/\d(?:\.\d)? \d{3} ?(.*)$/.exec(lines[0] ?? '');
  const headers: NameValue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return { statusText: status ? status[1] : undefined, headers };
}

export function pairsFromObject(h: Record<string, string | string[]>): NameValue[] {
  const out: NameValue[] = [];
  for (const [name, v] of Object.entries(h)) {
    for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value });
  }
  return out;
}

/** The first value of a header, its name matched case-insensitively. */
export function headerValue(headers: readonly NameValue[], name: string): string | undefined {
  const lower = name.toLowerCase();
  // The length first: a log looks up a handful of names among every header, nearly all of other lengths.
  for (const h of headers) if (h.name.length === lower.length && h.name.toLowerCase() === lower) return h.value;
  return undefined;
}
