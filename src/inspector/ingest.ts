import type { IncomingMessage } from 'node:http';
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const INLINE_GUNZIP_BYTES = 16 * 1024;
const SIMPLE_FORM_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

export class IngestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads and validates a POST /v1/request body: gzip or plain, a JSON array of log objects. */
export async function readLogs(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>[]> {
  // The types a web page may POST cross-origin without a preflight: refusing them keeps any site the
  // developer visits from slipping fake logs into the local dashboard.
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (SIMPLE_FORM_TYPES.has(type)) throw new IngestError(415, `content-type ${type} is not accepted; send application/json`);
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw new IngestError(413, `payload of ${declared} bytes is larger than ${maxBytes} bytes`);
  let body = await readBody(req, maxBytes);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') {
    const inflated = { maxOutputLength: maxBytes * 4 };
    try {
      // A batch of ten logs is a kilobyte or two: inflating it here costs less than the round trip
      // through libuv's pool. A large backlog still inflates off the event loop, so the dashboard answers.
      body = body.length <= INLINE_GUNZIP_BYTES ? gunzipSync(body, inflated) : await gunzipAsync(body, inflated);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new IngestError(413, `payload larger than ${inflated.maxOutputLength} bytes once decompressed`);
      }
      throw new IngestError(400, 'body is not valid gzip');
    }
  } else if (encoding && encoding !== 'identity') {
    throw new IngestError(415, `unsupported content-encoding ${encoding}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new IngestError(400, `malformed JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new IngestError(400, 'expected a JSON array of logs');
  parsed.forEach((log, i) => {
    const problem = validateLog(log);
    if (problem) throw new IngestError(400, `log ${i}: ${problem}`);
  });
  return parsed as Record<string, unknown>[];
}

/** The request's body, refused past maxBytes. Plain listeners: an async iterator costs more than the parse. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new IngestError(413, `payload larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
    // Settled already when the body was read; otherwise the client went away mid-body.
    req.on('close', () => {
      if (!req.complete) reject(new IngestError(400, 'the request was aborted before its body was read'));
    });
  });
}

/** The checks the real service needs to make sense of a log. */
export function validateLog(log: unknown): string | undefined {
  if (!log || typeof log !== 'object' || Array.isArray(log)) return 'not an object';
  const l = log as Record<string, unknown>;
  if (typeof l._id !== 'string') return '_id must be a string';
  const group = l.group as Record<string, unknown> | undefined;
  if (!group || typeof group !== 'object' || typeof group.id !== 'string') return 'group.id must be a string';
  const har = (l.request as { log?: { entries?: unknown } } | undefined)?.log;
  if (!har || !Array.isArray(har.entries) || har.entries.length === 0) return 'request.log.entries must be a non-empty array';
  for (const e of har.entries as Array<Record<string, unknown>>) {
    const req = e?.request as Record<string, unknown> | undefined;
    const res = e?.response as Record<string, unknown> | undefined;
    if (!req || typeof req.method !== 'string' || typeof req.url !== 'string') return 'entry.request needs method and url';
    if (!res || typeof res.status !== 'number') return 'entry.response needs a numeric status';
  }
  return undefined;
}
