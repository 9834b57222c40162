import zlib from 'node:zlib';

type Decoder = (input: Uint8Array, maxOutputLength: number, partial: boolean) => Buffer;

const { Z_SYNC_FLUSH, BROTLI_OPERATION_FLUSH } = zlib.constants;

// A partial input (cut at the cap) cannot be finished: flush what decodes instead of failing.
const DECODERS: Record<string, Decoder> = {
  gzip: (input, max, partial) => zlib.gunzipSync(input, { maxOutputLength: max, ...(partial ? { finishFlush: Z_SYNC_FLUSH } : {}) }),
  deflate: (input, max, partial) => {
    // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: the header tells.
    const wrapped = input.length >= 2 && (input[0] & 0x0f) === 8 && ((input[0] << 8) | input[1]) % 31 === 0;
    const opts = { maxOutputLength: max, ...(partial ? { finishFlush: Z_SYNC_FLUSH } : {}) };
    return wrapped ? zlib.inflateSync(input, opts) : zlib.inflateRawSync(input, opts);
  },
  br: (input, max, partial) =>
    zlib.brotliDecompressSync(input, { maxOutputLength: max, ...(partial ? { finishFlush: BROTLI_OPERATION_FLUSH } : {}) }),
};
DECODERS['x-gzip'] = DECODERS.gzip;
const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o: object) => Buffer }).zstdDecompressSync;
if (typeof zstd === 'function') DECODERS.zstd = (input, max) => zstd(input, { maxOutputLength: max });

export interface Decoded {
  bytes: Buffer;
  /** False when the output was cut at the cap (or the input was). */
  complete: boolean;
}

/**
 * Undoes the content codings (listed in the order they were applied) and keeps at most `cap` bytes
 * of the result; undefined when a coding is unknown or the bytes do not decode (the caller then
 * shows them as they are). Runs in the pipeline, never on the app's request path.
 */
export function decodeUpTo(body: Uint8Array, codings: readonly string[], cap: number, partialInput: boolean): Decoded | undefined {
  let bytes: Uint8Array = body;
  let complete = !partialInput;
  for (let i = codings.length - 1; i >= 0; i--) {
    const decoder = DECODERS[codings[i]];
    if (!decoder) return undefined;
    const deadline = codings[i] === 'br' ? performance.now() + BROTLI_SEARCH_BUDGET_MS : Infinity;
    const stage = decodeStage(decoder, bytes, Math.max(cap, 1), !complete, deadline);
    if (!stage) return undefined;
    bytes = stage.bytes;
    complete = complete && stage.complete;
  }
  return { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), complete };
}

// Each attempt below costs about the cap, but one attempt at a brotli bomb costs 15-40 ms whatever
// the cap (the decoder fills its window before it yields): past this budget the brotli search settles
// for what it has, so a bomb costs a couple of attempts, not twenty. gzip and deflate attempts stay
// cheap, so their search has no budget and keeps exactly the cap.
const BROTLI_SEARCH_BUDGET_MS = 25;

function decodeStage(decoder: Decoder, input: Uint8Array, cap: number, partial: boolean, deadline: number): Decoded | undefined {
  try {
    return { bytes: decoder(input, cap, partial), complete: true };
  } catch (err) {
    if (!tooLarge(err)) return undefined;
  }
  // zlib's one-shot decoders throw past maxOutputLength and keep nothing. Output grows with input,
  // so find the longest input prefix whose output fits; the next byte overshoots by a bounded amount.
  let lo = 0;
  let hi = input.length;
  let best: Buffer = Buffer.alloc(0);
  while (hi - lo > 1 && performance.now() < deadline) {
    const mid = (lo + hi) >>> 1;
    try {
      best = decoder(input.subarray(0, mid), cap, true);
      lo = mid;
    } catch (err) {
      if (tooLarge(err)) hi = mid;
      else lo = mid; // a prefix cut inside a header: longer prefixes may decode
    }
  }
  // One byte of brotli can stand for megabytes: allow more room, within a bound, before settling.
  for (const room of [cap * 2 + 64 * 1024, MAX_OVERSHOOT]) {
    if (room < cap || performance.now() >= deadline) continue;
    try {
      const over = decoder(input.subarray(0, hi), room, true);
      return { bytes: over.subarray(0, cap), complete: false };
    } catch (err) {
      if (!tooLarge(err)) break;
    }
  }
  return { bytes: best, complete: false };
}

const MAX_OVERSHOOT = 16 * 1024 * 1024;

function tooLarge(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}
