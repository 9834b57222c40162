import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { wallClockAt } from './clock';
import { NO_BODY } from './body-tap';
import { Exchange, routeOf, stringHeaders } from './exchange';
import type { RawCapture } from './raw-capture';

type Connection = Socket & { encrypted?: boolean; _httpMessage?: unknown };

/**
 * One HTTP/1 exchange. The request's fields are read when it starts, not when the response is over.
 * Express gives every request and response a map (hidden class) of its own when it sets their
 * prototypes, so each later read of one of their properties is a lookup from scratch in V8's
 * runtime, a few hundred nanoseconds: measured with perf, the reads of a close path that read
 * everything at the end were most of what the SDK cost an Express app. At the start the objects are
 * still Node's, with the maps every request shares.
 */
export class Http1Exchange extends Exchange {
  readonly method: string;
  /** As received: routers (Express's mounted ones) rewrite req.url while they dispatch. */
  readonly url: string;
  readonly httpVersion: string;
  readonly rawHeaders: string[];
  readonly socket: Connection | null;
  /** Queued behind another response on its connection (pipelining); see aborted(). */
  readonly pipelined: boolean;
  /** The app called end(): later writes are not sent, so not captured. */
  ended = false;
  /** The response is over and its capture handed on; chunks seen later belong to nobody. */
  done = false;
  /** Neighbours in observe.ts's list of ended responses not yet closed. */
  prevEnded: Http1Exchange | null = null;
  nextEnded: Http1Exchange | null = null;
  /** When the response closed: the capture may then wait a little for the request body (observe.ts). */
  closedAt = -1;
  /** Node is draining a body the app left unread; push() hands its chunks here and drops them, as Node would. */
  draining = false;
  /** The app wrote to a socket already destroyed: Node dropped those bytes, the client never had them. */
  lost = false;

  constructor(id: string, req: IncomingMessage, res: ServerResponse, maxBodySize: number, pipelined: boolean) {
    super(id, req, res, maxBodySize);
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    this.httpVersion = req.httpVersion;
    this.rawHeaders = req.rawHeaders;
    this.socket = req.socket as Connection | null;
    this.pipelined = pipelined;
  }

  toRawCapture(): RawCapture {
    const end = this.closedAt >= 0 ? this.closedAt : performance.now();
    const res = this.res;
    const header = (res as ServerResponse & { _header?: unknown })._header;
    const sent = typeof header === 'string' ? header : null;
    const socket = this.socket;
    const method = this.method;
    // The status line of the block as sent ("HTTP/1.1 200 OK") saves two reads of the response.
    const lineCode = sent === null ? -1 : statusLineCode(sent);
    const statusCode = lineCode === -1 ? res.statusCode : lineCode;
    const noBody = Exchange.sendsNoBody(method, statusCode);
    const incomplete = this.requestBody !== NO_BODY && this.requestBodyIncomplete();
    // One literal with every field: each property added after it is built would be a hidden-class
    // transition on every request.
    return {
      id: this.id,
      startedDateTime: wallClockAt(this.start),
      durationMs: end - this.start,
      method,
      url: this.url,
      httpVersion: this.httpVersion,
      // Not copied: Node never changes rawHeaders after parsing, and the capture is read right away.
      requestHeaders: this.rawHeaders,
      remoteAddress: socket?.remoteAddress,
      encrypted: Boolean(socket?.encrypted),
      requestBody: this.requestBody.take(),
      requestBodySize: incomplete ? Math.max(this.requestBody.size, declaredRequestLength(this.rawHeaders)) : this.requestBody.size,
      requestBodyTruncated: incomplete || this.requestBody.truncated,
      requestBodyIncomplete: incomplete,
      statusCode,
      statusMessage: lineCode === -1 ? (res.statusMessage ?? '') : reasonOf(sent!, res),
      responseHeaderBlock: sent,
      responseHeaders: sent === null ? stringHeaders(res.getHeaders()) : null,
      responseBody: noBody ? null : this.responseBody.take(),
      responseBodySize: noBody ? 0 : this.responseBody.size,
      responseBodyTruncated: noBody ? false : this.responseBody.truncated,
      aborted: this.aborted(sent),
      route: routeOf(this.req),
      group: undefined,
    };
  }

  /**
   * Whether part of the request body was never seen: Node discards what the app left unread once the
   * response is over (req._dump) without handing it to push(), and a client may leave mid-upload.
   * Counted against Content-Length; a chunked body is whole only if it had ended by now (an unread
   * one whose end was still in flight is then marked too: what follows a dump is never seen).
   */
  private requestBodyIncomplete(): boolean {
    const declared = declaredRequestLength(this.rawHeaders);
    return declared >= 0 ? this.requestBody.size < declared : !this.req.complete;
  }

  /**
   * The client left before the response was complete. Node can report close before finish for a
   * response the client received whole: the socket closes before the callback of the last write
   * runs, or, for a piped file, before the stream's end() (the Content-Length is all written, but
   * the stream has not seen end-of-file yet). What counts is whether the last byte was handed to a
   * live socket: written while it was open and not left in the response's own buffer (outputData,
   * where a pipelined response waits for the connection).
   */
  private aborted(sent: string | null): boolean {
    const res = this.res as ServerResponse & { outputData?: unknown[] };
    if (res.writableFinished) return false;
    if (this.lost || sent === null) return true;
    if (Array.isArray(res.outputData) && res.outputData.length > 0) return true;
    if (this.ended) return false;
    const declared = declaredLength(sent);
    return declared === -1 || this.responseBody.size < declared;
  }
}

/** The Content-Length the client declared, or -1. */
function declaredRequestLength(rawHeaders: string[]): number {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 14 && rawHeaders[i].toLowerCase() === 'content-length') {
      const n = Number(rawHeaders[i + 1]);
      return Number.isSafeInteger(n) && n >= 0 ? n : -1;
    }
  }
  return -1;
}

/** The Content-Length of a header block as sent, or -1. Read only for a response closed before its end(). */
function declaredLength(block: string): number {
  const m = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i.exec(block);
  return m === null ? -1 : Number(m[1]);
}

// "HTTP/1.1 200 OK\r\n": Node writes the status line as `HTTP/1.1 ${statusCode} ${statusMessage}`.
const STATUS_AT = 'HTTP/1.1 '.length;

/** The code of a block that starts with the status line as Node writes it, or -1 when it does not. */
function statusLineCode(block: string): number {
  let code = 0;
  for (let i = STATUS_AT; i < STATUS_AT + 3; i++) {
    const digit = block.charCodeAt(i) - 0x30;
    if (!(digit >= 0 && digit <= 9)) return -1;
    code = code * 10 + digit;
  }
  return block.charCodeAt(STATUS_AT + 3) === 0x20 ? code : -1;
}

/** The reason phrase of a block statusLineCode() accepted. */
function reasonOf(block: string, res: ServerResponse): string {
  const eol = block.indexOf('\r\n');
  return eol === -1 ? (res.statusMessage ?? '') : block.slice(STATUS_AT + 4, eol);
}
