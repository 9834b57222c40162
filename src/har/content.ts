import type { HarContent } from './types';
import type { CapturedBody } from '../capture/raw-capture';
import { bodyLength, bodyText, joinComments, truncationComment } from './body-text';
import { decodeBody } from './body';

/**
 * The response body as the client will read it: decoded when the app compressed it (up to the cap),
 * in its charset, text when it is text, base64 otherwise. size is the decoded length when the whole
 * body was captured and decoded, and the bytes that went over the wire otherwise (the comment says which).
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
  const decoded = decodeBody(body, size, truncated, contentEncoding, maxBodySize);
  if (decoded.body === undefined) return { text: '', size, mimeType, comment: decoded.withheld };

  const t = bodyText(decoded.body, contentType, decoded.partial);
  const content: HarContent = { text: t.text ?? '', size: decoded.size, mimeType };
  if (t.encoding) content.encoding = t.encoding;
  let cut: string | undefined;
  if (decoded.partial) {
    cut = decoded.codings
      ? `truncated: the first ${t.kept} bytes of the decoded body are kept; ${size} bytes were sent (${decoded.codings})`
      : truncationComment(t.kept, size);
  }
  const comment = joinComments(cut, t.note);
  if (comment !== undefined) content.comment = comment;
  return content;
}
