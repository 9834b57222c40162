import type { HarContent } from './types';
import type { CapturedBody } from '../capture/raw-capture';
import { asBuffer, bodyText, bodyLength, mimeTypeOf, textByteLength, truncationComment } from './body-text';
import { decodeUpTo } from './decode';

/**
 * The response body as the client will read it: decoded when the app compressed it (up to the cap),
 * text when it is text, base64 otherwise. size is the decoded length when the whole body was
 * captured and decoded, and the bytes that went over the wire otherwise (the comment says which).
 */
export function responseContent(
  body: CapturedBody | null,
  size: number,
  truncated: boolean,
  contentType: string,
  contentEncoding: string | undefined,
  maxBodySize: number,
): HarContent {
  const mimeType = contentType;
  if (body === null || bodyLength(body) === 0) return { text: '', size, mimeType };
  const mime = mimeTypeOf(contentType);
  const codings = codingsOf(contentEncoding);
  const decoded = codings.length > 0 ? decodeUpTo(asBuffer(body), codings, maxBodySize, truncated) : undefined;

  if (!decoded) {
    const t = bodyText(body, mime, truncated);
    const content: HarContent = { text: t.text, size, mimeType };
    if (t.encoding) content.encoding = t.encoding;
    if (truncated) content.comment = truncationComment(textByteLength(t), size);
    return content;
  }

  const partial = truncated || !decoded.complete;
  const t = bodyText(decoded.bytes, mime, partial);
  const content: HarContent = { text: t.text, size: partial ? size : decoded.bytes.byteLength, mimeType };
  if (t.encoding) content.encoding = t.encoding;
  if (partial) {
    content.comment = `truncated: the first ${textByteLength(t)} bytes of the decoded body are kept; ${size} bytes were sent (${codings.join(', ')})`;
  }
  return content;
}

/** Content-Encoding lists codings in the order they were applied; identity is no coding. */
function codingsOf(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}
