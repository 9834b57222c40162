import { isUtf8 } from 'node:buffer';
import type { CapturedBody } from '../capture/raw-capture';

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|ld\+json|problem\+json|yaml|x-yaml|csv)\b)|^(image\/svg\+xml|multipart\/form-data)/i;

export function isTextType(mimeType: string): boolean {
  return TEXT_TYPES.test(mimeType);
}

/**
 * A body as HAR text: readable UTF-8 stays text; bytes that are not (images, protobuf, invalid UTF-8
 * claiming to be text) are sent base64 with encoding "base64", so nothing is mangled on the way.
 * A body cut at the cap (`partial`) may end inside a character: those last 1-3 bytes are dropped so
 * the rest stays readable text (the caller reports how many bytes the text holds).
 */
export function bodyText(body: CapturedBody, mimeType: string, partial = false): { text: string; encoding?: 'base64' } {
  const looksText = mimeType === '' || isTextType(mimeType);
  // A string the app wrote whole is already the text; a cut one is re-checked as bytes below.
  if (typeof body === 'string' && looksText && !partial) return { text: body };
  const buf = asBuffer(body);
  if (looksText) {
    if (isUtf8(buf)) return { text: buf.toString('utf8') };
    if (partial) {
      const whole = buf.subarray(0, buf.length - incompleteTail(buf));
      if (whole.length < buf.length && isUtf8(whole)) return { text: whole.toString('utf8') };
    }
  }
  return { text: buf.toString('base64'), encoding: 'base64' };
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

/** The byte length of what bodyText returned. */
export function textByteLength(t: { text: string; encoding?: 'base64' }): number {
  return t.encoding === 'base64' ? Buffer.byteLength(t.text, 'base64') : Buffer.byteLength(t.text, 'utf8');
}

export function mimeTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function truncationComment(captured: number, size: number): string {
  return `truncated: ${captured} of ${size} bytes captured`;
}
