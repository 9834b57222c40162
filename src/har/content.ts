import zlib from 'node:zlib';
import type { HarContent } from './types';
import { bodyText, truncationComment } from './body-text';

/**
 * The response body as the client will read it: decoded when the app compressed it (within the
 * cap), text when it is text, base64 otherwise. size is the decoded length when the whole body was
 * captured and the bytes that went over the wire otherwise.
 */
export function responseContent(
  body: Uint8Array | null,
  size: number,
  truncated: boolean,
  contentType: string,
  contentEncoding: string | undefined,
  maxBodySize: number,
): HarContent {
  const mimeType = contentType;
  if (body === null || body.byteLength === 0) return { text: '', size, mimeType };
  let bytes: Uint8Array = body;
  let decoded = false;
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (coding && coding !== 'identity') {
    const d = decode(body, coding, maxBodySize, truncated);
    if (d) {
      bytes = d;
      decoded = true;
    }
  }
  const content: HarContent = { ...bodyText(bytes, mimeType.split(';')[0].trim().toLowerCase()), size: truncated || !decoded ? size : bytes.byteLength, mimeType };
  if (truncated) content.comment = truncationComment(body.byteLength, size);
  return { text: content.text, size: content.size, mimeType, ...(content.encoding ? { encoding: content.encoding } : {}), ...(content.comment ? { comment: content.comment } : {}) };
}

function decode(body: Uint8Array, coding: string, max: number, partial: boolean): Buffer | undefined {
  // A truncated stream cannot be finished: flush what decodes instead of throwing.
  const flush = partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {};
  const opts = { maxOutputLength: Math.max(max, 1), ...flush };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(body, opts);
    if (coding === 'deflate') {
      try {
        return zlib.inflateSync(body, opts);
      } catch {
        return zlib.inflateRawSync(body, opts);
      }
    }
    if (coding === 'br') {
      return zlib.brotliDecompressSync(body, {
        maxOutputLength: opts.maxOutputLength,
        ...(partial ? { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : {}),
      });
    }
  } catch {
    return undefined;
  }
  return undefined;
}
