import type { CapturedBody } from '../capture/raw-capture';
import { asBuffer } from './body-text';
import { decodeUpTo } from './decode';

/** A captured body with its content codings undone: what the client (or the app) actually read. */
export interface DecodedBody {
  /** The decoded bytes (or the captured body as is when it had no coding); undefined when withheld. */
  body?: CapturedBody;
  /** Cut at the cap, on the wire or once decoded. */
  partial: boolean;
  /** HAR size: the decoded length when the whole body was decoded, the bytes on the wire otherwise. */
  size: number;
  /** Set when the body was decoded: how it was (for comments), or why it could not be. */
  codings?: string;
  withheld?: string;
}

/**
 * Undoes Content-Encoding (gzip, deflate, br, zstd where Node has it), keeping at most maxBodySize
 * decoded bytes, so a decompression bomb costs a bounded inflate. A body whose coding cannot be undone
 * is withheld: the compressed bytes would carry its secrets past the redactor.
 */
export function decodeBody(body: CapturedBody, wireSize: number, truncated: boolean, contentEncoding: string | undefined, maxBodySize: number): DecodedBody {
  const codings = codingsOf(contentEncoding);
  if (codings.length === 0) return { body, partial: truncated, size: wireSize };
  const named = codings.join(', ');
  const decoded = decodeUpTo(asBuffer(body), codings, maxBodySize, truncated);
  if (!decoded) return { partial: truncated, size: wireSize, codings: named, withheld: `withheld: the body could not be decoded (Content-Encoding: ${named})` };
  const partial = truncated || !decoded.complete;
  return { body: decoded.bytes, partial, size: partial ? wireSize : decoded.bytes.byteLength, codings: named };
}

/** Content-Encoding lists codings in the order they were applied; identity is no coding. */
function codingsOf(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}
