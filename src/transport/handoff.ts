import type { CapturedBody, RawCapture } from '../capture/raw-capture';

/**
 * How captures cross from the app's thread to the worker. Structured cloning pays per value: for a
 * batch of captures with their header arrays that is thousands of values, several microseconds a
 * request on the app's thread (measured on Express with a 1 KB JSON echo). A batch is instead two
 * buffers, both transferred: numbers (fixed fields and the length of each text piece), and bytes (every
 * capture's strings as UTF-8, then binary bodies). Nothing of a capture stays on the app's heap after
 * add(), and add() itself allocates nothing but the flat copy of a piece that is still a rope (V8
 * makes one to read it either way): each piece goes into the buffer on its own, short ASCII ones
 * (method, header names, most values) by a loop, longer ones by Buffer#write. Joining them all first
 * and writing once left about 1 KB of rope and flat copy per request (a tenth of what the SDK
 * allocated on the app's thread); writing every piece with Buffer#write cost 3-12% more CPU on a 1 KB
 * echo (a call into C++ per piece); this costs the same as the join (side by side on one core,
 * medians of 6 rounds: 244.9 against 246.1 µs per request). The rare objects (headers never sent, a
 * grouping function's answer) are cloned as they are.
 */
export interface PackedBatch {
  count: number;
  numbers: ArrayBuffer;
  bytes: ArrayBuffer;
  objects: unknown[];
}

// The fixed numbers of a capture; its text pieces' UTF-16 lengths follow.
const STARTED = 0;
const DURATION = 1;
const STATUS = 2;
const FLAGS = 3;
const REQUEST_SIZE = 4;
const RESPONSE_SIZE = 5;
const TEXT_AT = 6;
const TEXT_BYTES = 7;
const REQUEST_BYTES_AT = 8;
const REQUEST_BYTES = 9;
const RESPONSE_BYTES_AT = 10;
const RESPONSE_BYTES = 11;
const HEADERS_OBJECT = 12;
const GROUP_OBJECT = 13;
const HEADER_COUNT = 14;
const FIXED = 15;
// id, method, url, httpVersion, statusMessage, and at most remoteAddress, header block, route and two bodies.
const MAX_PIECES = 10;

const ENCRYPTED = 1;
const ABORTED = 2;
const REQUEST_TRUNCATED = 4;
const RESPONSE_TRUNCATED = 8;
const HAS_REMOTE = 16;
const HAS_BLOCK = 32;
const HAS_ROUTE = 64;
const REQUEST_TEXT = 128;
const REQUEST_BYTES_BODY = 256;
const RESPONSE_TEXT = 512;
const RESPONSE_BYTES_BODY = 1024;
const REQUEST_INCOMPLETE = 2048;

// Longer pieces go through Buffer#write: its call costs about 150 ns whatever the length up to 1 KB,
// the loop about 4 ns a character (measured on Node 20 with flat ASCII strings: 16 characters 70-94 against
// 88-153 ns, 64 characters 166-379 against 81-243 ns). Neither allocates for a flat string.
const ASCII_LOOP_MAX = 32;

const FIRST_NUMBERS = 1024;
const FIRST_ARENA = 64 * 1024;

export class CaptureBatch {
  private numbers = new Float64Array(FIRST_NUMBERS);
  private numbersUsed = 0;
  private arena: Buffer | null = null;
  private used = 0;
  private objects: unknown[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Bytes held, text and bodies; the sink hands a batch off early when it grows large. */
  get byteLength(): number {
    return this.used;
  }

  add(raw: RawCapture): void {
    const headers = raw.requestHeaders;
    const at = this.numbersUsed;
    this.reserveNumbers(at + FIXED + MAX_PIECES + headers.length);
    this.numbersUsed = at + FIXED;
    const n = this.numbers;
    let flags =
      (raw.encrypted ? ENCRYPTED : 0) |
      (raw.aborted ? ABORTED : 0) |
      (raw.requestBodyTruncated ? REQUEST_TRUNCATED : 0) |
      (raw.requestBodyIncomplete ? REQUEST_INCOMPLETE : 0) |
      (raw.responseBodyTruncated ? RESPONSE_TRUNCATED : 0);
    const textAt = this.used;
    this.text(raw.id);
    this.text(raw.method);
    this.text(raw.url);
    this.text(raw.httpVersion);
    this.text(raw.statusMessage);
    if (raw.remoteAddress !== undefined) {
      flags |= HAS_REMOTE;
      this.text(raw.remoteAddress);
    }
    if (raw.responseHeaderBlock !== null) {
      flags |= HAS_BLOCK;
      this.text(raw.responseHeaderBlock);
    }
    if (raw.route !== undefined) {
      flags |= HAS_ROUTE;
      this.text(raw.route);
    }
    const request = raw.requestBody;
    if (typeof request === 'string') {
      flags |= REQUEST_TEXT;
      this.text(request);
    }
    const response = raw.responseBody;
    if (typeof response === 'string') {
      flags |= RESPONSE_TEXT;
      this.text(response);
    }
    for (let i = 0; i < headers.length; i++) this.text(headers[i]);
    n[at + TEXT_AT] = textAt;
    n[at + TEXT_BYTES] = this.used - textAt;
    if (request !== null && typeof request !== 'string') {
      flags |= REQUEST_BYTES_BODY;
      n[at + REQUEST_BYTES_AT] = this.bytes(request);
      n[at + REQUEST_BYTES] = request.byteLength;
    }
    if (response !== null && typeof response !== 'string') {
      flags |= RESPONSE_BYTES_BODY;
      n[at + RESPONSE_BYTES_AT] = this.bytes(response);
      n[at + RESPONSE_BYTES] = response.byteLength;
    }
    n[at + STARTED] = raw.startedDateTime;
    n[at + DURATION] = raw.durationMs;
    n[at + STATUS] = raw.statusCode;
    n[at + FLAGS] = flags;
    n[at + REQUEST_SIZE] = raw.requestBodySize;
    n[at + RESPONSE_SIZE] = raw.responseBodySize;
    n[at + HEADERS_OBJECT] = raw.responseHeaders === null ? -1 : this.objects.push(raw.responseHeaders) - 1;
    n[at + GROUP_OBJECT] = raw.group === undefined ? -1 : this.objects.push(raw.group) - 1;
    n[at + HEADER_COUNT] = headers.length;
    this.count++;
  }

  /** Appends a text piece: its UTF-16 length to the numbers, its UTF-8 bytes to the arena. */
  private text(s: string): void {
    const length = s.length;
    this.numbers[this.numbersUsed++] = length;
    // UTF-8 takes at most three bytes for each UTF-16 unit.
    const arena = this.reserveBytes(this.used + length * 3);
    let at = this.used;
    if (length > ASCII_LOOP_MAX) {
      this.used = at + arena.write(s, at, 'utf8');
      return;
    }
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        at += arena.write(s.slice(i), at, 'utf8');
        break;
      }
      arena[at++] = c;
    }
    this.used = at;
  }

  private bytes(body: Uint8Array): number {
    const arena = this.reserveBytes(this.used + body.byteLength);
    const at = this.used;
    arena.set(body, at);
    this.used += body.byteLength;
    return at;
  }

  /** The batch as a message, and what to transfer with it; the batch is empty afterwards. */
  take(): { message: PackedBatch; transfer: ArrayBuffer[] } {
    const numbers = this.numbers.buffer.slice(0, this.numbersUsed * 8) as ArrayBuffer;
    const bytes = this.arena ? (this.arena.buffer as ArrayBuffer) : new ArrayBuffer(0);
    const message: PackedBatch = { count: this.count, numbers, bytes, objects: this.objects };
    this.numbersUsed = 0;
    this.arena = null;
    this.used = 0;
    this.objects = [];
    this.count = 0;
    return { message, transfer: [numbers, bytes] };
  }

  private reserveNumbers(need: number): void {
    if (need <= this.numbers.length) return;
    const grown = new Float64Array(Math.max(need, this.numbers.length * 2));
    grown.set(this.numbers.subarray(0, this.numbersUsed));
    this.numbers = grown;
  }

  private reserveBytes(need: number): Buffer {
    if (this.arena !== null && need <= this.arena.length) return this.arena;
    // allocUnsafeSlow: a buffer that owns its ArrayBuffer (pooled ones share theirs), so it can move.
    const grown = Buffer.allocUnsafeSlow(Math.max(FIRST_ARENA, need, this.arena ? this.arena.length * 2 : 0));
    if (this.arena) this.arena.copy(grown, 0, 0, this.used);
    this.arena = grown;
    return grown;
  }
}

/** The worker's side: the captures of a batch, as they were on the app's thread. */
export function unpack(batch: PackedBatch): RawCapture[] {
  const bytes = Buffer.from(batch.bytes);
  const n = new Float64Array(batch.numbers);
  const out: RawCapture[] = [];
  let at = 0;
  for (let c = 0; c < batch.count; c++) {
    const flags = n[at + FLAGS];
    const textAt = n[at + TEXT_AT];
    const text = bytes.toString('utf8', textAt, textAt + n[at + TEXT_BYTES]);
    let p = at + FIXED;
    let pos = 0;
    const piece = (): string => {
      const s = text.slice(pos, pos + n[p]);
      pos += n[p++];
      return s;
    };
    const id = piece();
    const method = piece();
    const url = piece();
    const httpVersion = piece();
    const statusMessage = piece();
    const remoteAddress = flags & HAS_REMOTE ? piece() : undefined;
    const responseHeaderBlock = flags & HAS_BLOCK ? piece() : null;
    const route = flags & HAS_ROUTE ? piece() : undefined;
    let requestBody: CapturedBody | null = flags & REQUEST_TEXT ? piece() : null;
    let responseBody: CapturedBody | null = flags & RESPONSE_TEXT ? piece() : null;
    const requestHeaders: string[] = [];
    for (let i = n[at + HEADER_COUNT]; i > 0; i--) requestHeaders.push(piece());
    if (flags & REQUEST_BYTES_BODY) requestBody = bytes.subarray(n[at + REQUEST_BYTES_AT], n[at + REQUEST_BYTES_AT] + n[at + REQUEST_BYTES]);
    if (flags & RESPONSE_BYTES_BODY) responseBody = bytes.subarray(n[at + RESPONSE_BYTES_AT], n[at + RESPONSE_BYTES_AT] + n[at + RESPONSE_BYTES]);
    const headersObject = n[at + HEADERS_OBJECT];
    const groupObject = n[at + GROUP_OBJECT];
    out.push({
      id,
      startedDateTime: n[at + STARTED],
      durationMs: n[at + DURATION],
      method,
      url,
      httpVersion,
      requestHeaders,
      remoteAddress,
      encrypted: (flags & ENCRYPTED) !== 0,
      requestBody,
      requestBodySize: n[at + REQUEST_SIZE],
      requestBodyTruncated: (flags & REQUEST_TRUNCATED) !== 0,
      requestBodyIncomplete: (flags & REQUEST_INCOMPLETE) !== 0,
      statusCode: n[at + STATUS],
      statusMessage,
      responseHeaderBlock,
      responseHeaders: headersObject < 0 ? null : (batch.objects[headersObject] as RawCapture['responseHeaders']),
      responseBody,
      responseBodySize: n[at + RESPONSE_SIZE],
      responseBodyTruncated: (flags & RESPONSE_TRUNCATED) !== 0,
      aborted: (flags & ABORTED) !== 0,
      route,
      group: groupObject < 0 ? undefined : (batch.objects[groupObject] as RawCapture['group']),
    });
    at = p;
  }
  return out;
}
