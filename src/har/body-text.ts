import { isUtf8 } from 'node:buffer';

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|ld\+json|problem\+json|yaml|x-yaml|csv)\b)|^(image\/svg\+xml|multipart\/form-data)/i;

export function isTextType(mimeType: string): boolean {
  return TEXT_TYPES.test(mimeType);
}

/**
 * A body as HAR text: readable UTF-8 stays text; bytes that are not (images, protobuf, invalid UTF-8
 * claiming to be text) are sent base64 with encoding "base64", so nothing is mangled on the way.
 */
export function bodyText(body: Uint8Array, mimeType: string): { text: string; encoding?: 'base64' } {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const looksText = mimeType === '' || isTextType(mimeType);
  if (looksText && isUtf8(buf)) return { text: buf.toString('utf8') };
  return { text: buf.toString('base64'), encoding: 'base64' };
}

export function mimeTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function truncationComment(captured: number, size: number): string {
  return `truncated: ${captured} of ${size} bytes captured`;
}
