import { gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { userAgent } from '../version';

const gzipAsync = promisify(gzip);
// Level 1: JSON logs compress almost as well as at the default level, for a third of the CPU.
const GZIP = { level: 1 };

export interface SendResult {
  status: number;
  body: string;
}

/** The Metrics API client: one keep-alive pool, Basic auth, gzip, and a hard timeout per call. */
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
    this.dispatcher = new Agent({ connections: 4, keepAliveTimeout: 10_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  }

  /** The request body for a JSON array: compressed once, however many attempts it takes to send. */
  async compress(json: string): Promise<Buffer> {
    return this.compressInline ? gzipSync(json, GZIP) : gzipAsync(json, GZIP);
  }

  /** POSTs a JSON array (already serialized) to /v1/request. Throws on network errors and timeouts. */
  async send(json: string): Promise<SendResult> {
    return this.sendCompressed(await this.compress(json));
  }

  /** POSTs a body from compress(). Throws on network errors and timeouts. */
  async sendCompressed(body: Buffer): Promise<SendResult> {
    const res = await request(`${this.server}/v1/request`, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: {
        authorization: this.auth,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'user-agent': userAgent,
      },
      body,
      // No AbortSignal: the dispatcher's connect, headers and body timeouts bound the call, without a
      // timer and an abort controller per batch.
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text };
  }

  /** GET {readmeApiUrl}/v1/ for the project's base URL, used in x-documentation-url. */
  async lookupBaseUrl(readmeApiUrl: string): Promise<string | undefined> {
    const res = await request(`${readmeApiUrl}/v1/`, {
      method: 'GET',
      dispatcher: this.dispatcher,
      headers: { authorization: this.auth, accept: 'application/json', 'user-agent': userAgent },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) return undefined;
    const parsed = JSON.parse(text) as { baseUrl?: unknown };
    return typeof parsed.baseUrl === 'string' && parsed.baseUrl ? parsed.baseUrl.replace(/\/+$/, '') : undefined;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
