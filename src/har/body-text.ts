import { isUtf8 } from 'node:buffer';
import type { CapturedBody } from '../capture/raw-capture';
import { charsetOf, decoderFor, isUtf8Label, sniffEncoding } from './charset';

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|ld\+json|problem\+json|yaml|x-yaml|csv)\b)|^(image\/svg\+xml|multipart\/form-data)/i;
// Any JSON type, as the redactor reads any type naming JSON as JSON (text/json, application/x-ndjson...).
const STRUCTURED_TYPES = /json|^application\/x-www-form-urlencoded$|^multipart\/form-data$/i;

export function isTextType(mimeType: string): boolean {
  return TEXT_TYPES.test(mimeType);
}

/**
 * How a body is meant to be read, by its media type: `structured` bodies (JSON, forms, multipart) hold
 * keys the redactor judges, so they are never sent in a form it cannot read; `unknown` has no type.
 */
export type BodyKind = 'structured' | 'text' | 'unknown' | 'binary';

function bodyKind(mime: string): BodyKind {
  if (mime === '') return 'unknown';
  if (STRUCTURED_TYPES.test(mime)) return 'structured';
  return isTextType(mime) ? 'text' : 'binary';
}

/** A body as HAR holds it: text, base64 bytes, or nothing (withheld, with the reason). */
export interface BodyText {
  text?: string;
  encoding?: 'base64';
  /** When partial: how many bytes of the input the text stands for (a cut character at the end is not). */
  kept: number;
  /** Why the text is not the bytes as they are: replaced bytes, or why it was withheld. */
  note?: string;
}

/**
 * A body as HAR text, decoded by the charset its Content-Type names (or its BOM, or UTF-8): what the
 * client or the app read. Bytes that are not text in that charset are replaced with U+FFFD when the
 * body is meant to be text, so the redactor still reads every key; binary bodies (and bodies of no
 * type that are not text) are sent base64. A charset this runtime cannot decode withholds a text
 * body rather than send it unread. A body cut at the cap (`partial`) may end inside a character:
 * that character is dropped.
 */
export function bodyText(body: CapturedBody, contentType: string, partial = false): BodyText {
  const mime = mimeTypeOf(contentType);
  const kind = bodyKind(mime);
  const t = decodeText(body, contentType, mime, kind, partial);
  if (kind !== 'structured' || t.text === undefined || mime === 'multipart/form-data') return t;
  const reason = unreadable(t.text, mime, t.label, body);
  return reason === undefined ? t : { kept: 0, note: `withheld: ${reason}` };
}

const JSON_START = /^\s*(?:[[{"\-0-9]|true|false|null)/;

/**
 * Why a JSON or form text, once decoded, is not what its sender meant (and could hide a secret in a
 * form the redactor cannot read but anyone can undo): NULs (UTF-16 or UTF-32 sent as UTF-8), or, after
 * a charset other than UTF-8, text that does not read as JSON or a form (bytes in another charset).
 */
function unreadable(text: string, mime: string, label: string | undefined, body: CapturedBody): string | undefined {
  if (text.includes('\u0000')) return 'the body holds NUL characters, so it is not in the charset it claims';
  if (label === undefined || text === '') return undefined;
  if (mime.includes('json')) return JSON_START.test(text) ? undefined : `the body does not read as JSON in ${label}`;
  // A form's "=" survives any right decoding; its bytes then read as something else entirely.
  const hasEquals = typeof body === 'string' ? body.includes('=') : asBuffer(body).includes(0x3d);
  return hasEquals && !text.includes('=') ? `the body does not read as a form in ${label}` : undefined;
}

/** The decoded text, and the charset used when it was not UTF-8. */
function decodeText(body: CapturedBody, contentType: string, mime: string, kind: BodyKind, partial: boolean): BodyText & { label?: string } {
  // A string the app wrote whole is already the text: Node sent it as UTF-8 whatever the header says.
  if (typeof body === 'string' && kind !== 'binary' && !partial) return { text: body, kept: 0 };
  const buf = asBuffer(body);
  if (kind === 'binary') return base64(buf);
  const label = charsetOf(contentType) ?? sniffEncoding(buf, mime.includes('json')) ?? 'utf-8';
  if (isUtf8Label(label)) {
    if (isUtf8(buf)) return { text: buf.toString('utf8'), kept: buf.length };
    if (partial) {
      const whole = buf.subarray(0, buf.length - incompleteTail(buf));
      if (whole.length < buf.length && isUtf8(whole)) return { text: whole.toString('utf8'), kept: whole.length };
    }
  } else {
    const strict = decoderFor(label, true);
    if (!strict) return kind === 'unknown' ? base64(buf) : { kept: 0, note: `withheld: the body's charset "${label}" cannot be decoded here` };
    try {
      return { text: strict.decode(buf, { stream: partial }), kept: buf.length, label };
    } catch {}
  }
  const text = (decoderFor(label, false) as NonNullable<ReturnType<typeof decoderFor>>).decode(buf, { stream: partial });
  // Without a type, only text that plainly is JSON is worth reading this way; the rest may be binary.
  if (kind === 'unknown' && !/^\s*[[{]/.test(text)) return base64(buf);
  return { text, kept: buf.length, note: `not valid ${label}: undecodable bytes replaced with U+FFFD`, label: isUtf8Label(label) ? undefined : label };
}

function base64(buf: Buffer): BodyText {
  return { text: buf.toString('base64'), encoding: 'base64', kept: buf.length };
}

/** Whether a captured body holds anything (a string's length is 0 exactly when its bytes are). */
export function bodyLength(body: CapturedBody): number {
  return typeof body === 'string' ? body.length : body.byteLength;
}

/** Bytes of a captured body, without a copy when it already is bytes. */
export function asBuffer(body: CapturedBody): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** How many bytes at the end start a UTF-8 sequence that the buffer cuts short (0 when none). */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

export function mimeTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export function truncationComment(captured: number, size: number): string {
  return `truncated: ${captured} of ${size} bytes captured`;
}

/** Comments joined: a body may be both truncated and re-decoded. */
export function joinComments(...comments: (string | undefined)[]): string | undefined {
  const present = comments.filter((c): c is string => c !== undefined);
  return present.length === 0 ? undefined : present.join('; ');
}
