import type { NameValue } from './types';

export function pairsFromRaw(raw: readonly string[]): NameValue[] {
  const out: NameValue[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ name: raw[i], value: raw[i + 1] });
  return out;
}

const STATUS_LINE = /^HTTP\/\d(?:\.\d)? \d{3} ?(.*)$/;

/**
 * Parses the header block Node actually sent ("HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n"),
 * walking it line by line in place: a split into lines was a tenth of what building a log allocated.
 */
export function parseHeaderBlock(block: string): { statusText: string | undefined; headers: NameValue[] } {
  let eol = block.indexOf('\r\n');
  if (eol === -1) eol = block.length;
  const status = STATUS_LINE.exec(block.slice(0, eol));
  const headers: NameValue[] = [];
  for (let at = eol + 2; at < block.length; at = eol + 2) {
    eol = block.indexOf('\r\n', at);
    if (eol === -1) eol = block.length;
    const colon = block.indexOf(':', at);
    if (colon <= at || colon >= eol) continue;
    headers.push({ name: block.slice(at, colon), value: block.slice(colon + 1, eol).trim() });
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
