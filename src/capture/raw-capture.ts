/**
 * A captured body: bytes, or a string the app wrote as UTF-8 (kept as is so the app's thread does not
 * encode it; it is the same bytes once encoded).
 */
export type CapturedBody = Uint8Array | string;

/**
 * Everything observed about one exchange, as plain data: what capture hands to the rest of the
 * pipeline (possibly in a worker thread). Bodies are bytes as they crossed the wire, up to the cap.
 */
export interface RawCapture {
  id: string;
  startedDateTime: number;
  durationMs: number;
  method: string;
  url: string;
  httpVersion: string;
  /** req.rawHeaders: name, value, name, value... in the order the client sent them. */
  requestHeaders: string[];
  remoteAddress: string | undefined;
  encrypted: boolean;
  requestBody: CapturedBody | null;
  requestBodySize: number;
  requestBodyTruncated: boolean;
  /**
   * The request body was not all seen when the exchange ended (the client left mid-upload, or the
   * app never read it all and Node discarded the rest). requestBodySize is then its Content-Length
   * when the client declared one, and requestBodyTruncated is true.
   */
  requestBodyIncomplete: boolean;
  statusCode: number;
  statusMessage: string;
  /**
   * The header block exactly as sent (res._header); null when headers never went out.
   * For HTTP/2, a text rendering: `HTTP/2 <status>` then `name: value` lines.
   */
  responseHeaderBlock: string | null;
  /** Headers set but never sent (aborted before the response started). */
  responseHeaders: Record<string, string | string[]> | null;
  responseBody: CapturedBody | null;
  responseBodySize: number;
  responseBodyTruncated: boolean;
  /** The client left before the response finished. */
  aborted: boolean;
  /** The route template when the framework knows it, e.g. `/users/:id`. */
  route: string | undefined;
  /** The user's grouping function's answer; undefined means "use the built-in finder". */
  group: { apiKey: string; label?: string; email?: string } | undefined;
}
