import { gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { Agent } from 'undici';
import { loadUndici } from './undici';
import { userAgent } from '../version';

const gzipAsync = promisify(gzip);
// Level 1: JSON logs compress almost as well as at the default level, for a third of the CPU.
const GZIP = { level: 1 };
// Of an answer's body we only keep the start, for a warning: an endpoint that streams megabytes back
// must not cost us the memory.
const MAX_ANSWER_BYTES = 4 * 1024;
const IDLE_TIMEOUT_SLACK_MS = 1_000;
const undici = loadUndici();

export interface SendResult {
  status: number;
  body: string;
}

/** A request body as it goes out: the bytes and how they are encoded. */
export interface Payload {
  bytes: Buffer;
  gzip: boolean;
}

/** The Metrics API client: one keep-alive pool, Basic auth, gzip or plain JSON, and a hard timeout per call. */
export class MetricsClient {
  private readonly dispatcher: Agent;
  private readonly auth: string;

  constructor(
    private readonly server: string,
    apiKey: string,
    private readonly timeoutMs: number,
    private readonly compressInline = false,
  ) {
    this.auth = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
    // The dispatcher's own timeouts only back the Deadline up: they fire from timers too, and would
    // abandon an answer already received while this thread was blocked (see Deadline).
    const backstop = timeoutMs + IDLE_TIMEOUT_SLACK_MS;
    this.dispatcher = new undici.Agent({ connections: 4, keepAliveTimeout: 10_000, headersTimeout: backstop, bodyTimeout: backstop, connectTimeout: backstop });
  }

  /**
   * The request body for a JSON array's bytes, encoded once however many attempts it takes to send.
   * Inline gzip reads `json` before this returns, so it may be a view of a buffer reused afterwards;
   * otherwise `json` must stay unchanged (plain JSON is sent as is).
   */
  async encode(json: Buffer, gzipIt: boolean): Promise<Payload> {
    if (!gzipIt) return { bytes: json, gzip: false };
    return { bytes: this.compressInline ? gzipSync(json, GZIP) : await gzipAsync(json, GZIP), gzip: true };
  }

  /** POSTs an encoded JSON array (see encode()) to /v1/request. Throws on network errors and timeouts. */
  async send(payload: Payload): Promise<SendResult> {
    const headers: Record<string, string> = { authorization: this.auth, 'content-type': 'application/json', 'user-agent': userAgent };
    if (payload.gzip) headers['content-encoding'] = 'gzip';
    // The dispatcher's timeouts are idle timeouts: an endpoint that trickles a byte a second would hold
    // the call (and every log behind it) forever. The deadline bounds connect, headers and body together.
    const deadline = new Deadline(this.timeoutMs);
    try {
      const res = await undici.request(this.dispatcher, { ...target(`${this.server}/v1/request`), method: 'POST', headers, body: payload.bytes, signal: deadline.signal });
      return { status: res.statusCode, body: await readCapped(res.body) };
    } finally {
      deadline.clear();
    }
  }

  /** GET {readmeApiUrl}/v1/ for the project's base URL, used in x-documentation-url. */
  async lookupBaseUrl(readmeApiUrl: string): Promise<string | undefined> {
    const res = await undici.request(this.dispatcher, {
      ...target(`${readmeApiUrl}/v1/`),
      method: 'GET',
      headers: { authorization: this.auth, accept: 'application/json', 'user-agent': userAgent },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return undefined;
    const parsed = JSON.parse(text) as { baseUrl?: unknown };
    return typeof parsed.baseUrl === 'string' && parsed.baseUrl ? parsed.baseUrl.replace(/\/+$/, '') : undefined;
  }

  /** Ends every connection now: by then flush() has had its time, and a hung call must not hold shutdown. */
  close(): Promise<void> {
    return this.dispatcher.destroy();
  }
}

/**
 * A call's deadline as an AbortSignal that fires one turn of the event loop after its timer. Timers run
 * before the loop reads sockets: when this thread was blocked past the deadline (an app's synchronous
 * job, with backgroundWorkerMode false), an answer that arrived meanwhile would be abandoned unread and
 * its batch sent again. The turn in between reads it first; a call still unanswered then is aborted.
 */
class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.immediate = setImmediate(() => this.controller.abort(new DOMException(`no complete answer within ${ms} ms`, 'TimeoutError'))).unref();
    }, ms).unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }
}

/** A URL as undici's dispatchers take it. */
function target(url: string): { origin: string; path: string } {
  const { origin, pathname, search } = new URL(url);
  return { origin, path: pathname + search };
}

/** The start of an answer's body as text, whatever its size; the rest is discarded, not kept. */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}
