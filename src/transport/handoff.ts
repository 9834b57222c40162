import type { CapturedBody, RawCapture } from '../capture/raw-capture';

/**
 * How captures cross from the app's thread to the worker. Structured-cloning one object per capture
 * writes every key out with every value, on the app's thread: several microseconds a request. A batch
 * is instead one flat array of values, a fixed number per capture, plus one buffer holding the bodies'
 * bytes back to back, transferred rather than copied. The worker turns them back into RawCaptures.
 */
export interface PackedBatch {
  fields: unknown[];
  bytes: ArrayBuffer | null;
}

const FIELDS = 21;
const FIRST_ARENA = 32 * 1024;

const ENCRYPTED = 1;
const ABORTED = 2;
const REQUEST_TRUNCATED = 4;
const RESPONSE_TRUNCATED = 8;

export class CaptureBatch {
  private fields: unknown[] = [];
  private arena: Buffer | null = null;
  private used = 0;

  get length(): number {
    return this.fields.length / FIELDS;
  }

  /** Bytes held for bodies; the sink hands a batch off early when it grows large. */
  get bodyBytes(): number {
    return this.used;
  }

  add(raw: RawCapture): void {
    const flags =
      (raw.encrypted ? ENCRYPTED : 0) |
      (raw.aborted ? ABORTED : 0) |
      (raw.requestBodyTruncated ? REQUEST_TRUNCATED : 0) |
      (raw.responseBodyTruncated ? RESPONSE_TRUNCATED : 0);
    this.fields.push(
      raw.id,
      raw.startedDateTime,
      raw.durationMs,
      raw.method,
      raw.url,
      raw.httpVersion,
      raw.remoteAddress,
      flags,
      raw.statusCode,
      raw.statusMessage,
      raw.responseHeaderBlock,
      raw.responseHeaders,
      raw.route,
      raw.group,
    );
    this.pushBody(raw.requestBody);
    this.fields.push(raw.requestBodySize);
    this.pushBody(raw.responseBody);
    this.fields.push(raw.responseBodySize, raw.requestHeaders);
  }

  /** Two fields: a string body as itself and 0, bytes as their offset in the arena and their length. */
  private pushBody(body: CapturedBody | null): void {
    if (body === null || typeof body === 'string') this.fields.push(body, 0);
    else this.fields.push(this.store(body), body.byteLength);
  }

  /** The batch as a message, and what to transfer with it; the batch is empty afterwards. */
  take(): { message: PackedBatch; transfer: ArrayBuffer[] } {
    const bytes = this.arena ? (this.arena.buffer as ArrayBuffer) : null;
    const message: PackedBatch = { fields: this.fields, bytes };
    this.fields = [];
    this.arena = null;
    this.used = 0;
    return { message, transfer: bytes ? [bytes] : [] };
  }

  private store(body: Uint8Array): number {
    const at = this.used;
    const need = at + body.byteLength;
    if (this.arena === null || need > this.arena.length) {
      // allocUnsafeSlow: a buffer that owns its ArrayBuffer (pooled ones share theirs), so it can move.
      const grown = Buffer.allocUnsafeSlow(Math.max(FIRST_ARENA, need, this.arena ? this.arena.length * 2 : 0));
      if (this.arena) this.arena.copy(grown, 0, 0, at);
      this.arena = grown;
    }
    this.arena.set(body, at);
    this.used = need;
    return at;
  }
}

/** The worker's side: the captures of a batch, as they were on the app's thread. */
export function unpack(batch: PackedBatch): RawCapture[] {
  const bytes = batch.bytes ? Buffer.from(batch.bytes) : null;
  const f = batch.fields;
  const out: RawCapture[] = [];
  for (let i = 0; i + FIELDS <= f.length; i += FIELDS) {
    const flags = f[i + 7] as number;
    out.push({
      id: f[i] as string,
      startedDateTime: f[i + 1] as number,
      durationMs: f[i + 2] as number,
      method: f[i + 3] as string,
      url: f[i + 4] as string,
      httpVersion: f[i + 5] as string,
      remoteAddress: f[i + 6] as string | undefined,
      encrypted: (flags & ENCRYPTED) !== 0,
      aborted: (flags & ABORTED) !== 0,
      statusCode: f[i + 8] as number,
      statusMessage: f[i + 9] as string,
      responseHeaderBlock: f[i + 10] as string | null,
      responseHeaders: f[i + 11] as RawCapture['responseHeaders'],
      route: f[i + 12] as string | undefined,
      group: f[i + 13] as RawCapture['group'],
      requestBody: bodyOf(f[i + 14], f[i + 15] as number, bytes),
      requestBodySize: f[i + 16] as number,
      requestBodyTruncated: (flags & REQUEST_TRUNCATED) !== 0,
      responseBody: bodyOf(f[i + 17], f[i + 18] as number, bytes),
      responseBodySize: f[i + 19] as number,
      responseBodyTruncated: (flags & RESPONSE_TRUNCATED) !== 0,
      requestHeaders: f[i + 20] as string[],
    });
  }
  return out;
}

function bodyOf(body: unknown, length: number, bytes: Buffer | null): CapturedBody | null {
  if (body === null || typeof body === 'string') return body;
  const at = body as number;
  return bytes!.subarray(at, at + length);
}
