import { TextDecoder } from 'node:util';

// Which character encoding a body's bytes are in: the charset the Content-Type names, else what the
// bytes themselves say (a BOM; for JSON, the NUL pattern of RFC 4627 section 3), else UTF-8.

const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i;
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/** The charset parameter of a Content-Type, lower-cased; undefined when there is none. */
export function charsetOf(contentType: string): string | undefined {
  if (!contentType.includes(';')) return undefined;
  const m = CHARSET.exec(contentType);
  const label = (m?.[1] ?? m?.[2])?.trim().toLowerCase();
  return label ? label : undefined;
}

export function isUtf8Label(label: string): boolean {
  return UTF8_LABELS.has(label);
}

/** An encoding told by the first bytes; undefined when they say nothing (read as UTF-8). */
export function sniffEncoding(bytes: Uint8Array, json: boolean): string | undefined {
  const [a, b, c, d] = bytes;
  if (bytes.length >= 4 && ((a === 0 && b === 0 && c === 0xfe && d === 0xff) || (a === 0xff && b === 0xfe && c === 0 && d === 0))) return 'utf-32';
  if (bytes.length >= 2 && a === 0xfe && b === 0xff) return 'utf-16be';
  if (bytes.length >= 2 && a === 0xff && b === 0xfe) return 'utf-16le';
  if (!json || bytes.length < 4) return undefined;
  // JSON starts with two ASCII characters, so which of the first four bytes are NUL tells the encoding.
  if (a === 0 && b === 0 && c === 0 && d !== 0) return 'utf-32';
  if (a !== 0 && b === 0 && c === 0 && d === 0) return 'utf-32';
  if (a === 0 && b !== 0 && c === 0 && d !== 0) return 'utf-16be';
  if (a !== 0 && b === 0 && c !== 0 && d === 0) return 'utf-16le';
  return undefined;
}

/**
 * A TextDecoder for a label (anything the WHATWG Encoding standard knows, which is what Node's
 * TextDecoder implements with full ICU); undefined for a label it does not know.
 */
export function decoderFor(label: string, fatal: boolean): TextDecoder | undefined {
  try {
    return new TextDecoder(label, { fatal });
  } catch {
    return undefined;
  }
}
