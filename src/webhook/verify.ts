import { createHmac, timingSafeEqual } from 'node:crypto';

// ReadMe signs webhook calls with `readme-signature: t=<ms since epoch>,v0=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

/** How old a signature may be: older ones are refused so a captured call cannot be replayed later. */
export const WEBHOOK_TOLERANCE_MS = 30 * 60 * 1000;

export type WebhookErrorCode = 'MISSING_SIGNATURE' | 'MISSING_SECRET' | 'MALFORMED_SIGNATURE' | 'EXPIRED_SIGNATURE' | 'INVALID_SIGNATURE' | 'INVALID_BODY';

export class WebhookVerificationError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

const SCHEME = 'v0';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const DIGITS = /^\d+$/;

interface ParsedSignature {
  time: number;
  /** t exactly as sent: it is what was signed. */
  stamp: string;
  signatures: Buffer[];
}

function parseHeader(header: string): ParsedSignature {
  let stamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq === -1) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't' && DIGITS.test(value)) stamp = value;
    // Several v0 values are accepted, so a secret can be rotated without a window of failures.
    else if (key === SCHEME && HEX_SHA256.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  const time = Number(stamp);
  if (stamp === undefined || !Number.isSafeInteger(time) || signatures.length === 0) {
    throw new WebhookVerificationError('MALFORMED_SIGNATURE', 'Malformed readme-signature header: expected "t=<timestamp in ms>,v0=<hex HMAC-SHA256>"');
  }
  return { time, stamp, signatures };
}

function bodyBytes(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // An already parsed body: ReadMe signs JSON.stringify of it, like its official SDKs.
  const json = JSON.stringify(body);
  if (json === undefined) throw new WebhookVerificationError('INVALID_BODY', 'Invalid webhook body: expected the raw body (string or Buffer) or the parsed JSON object');
  return Buffer.from(json, 'utf8');
}

/**
 * Verifies a ReadMe webhook call and returns its parsed JSON body.
 * `body` is the raw body as received (string or Buffer; preferred, it is what was signed) or the parsed
 * object; `signature` is the `readme-signature` header; `secret` is the webhook secret from the dashboard.
 * Throws WebhookVerificationError (see its `code`) when the header is missing or malformed, the
 * signature is older than 30 minutes, or it does not match.
 */
export function verifyWebhook<T = Record<string, unknown>>(body: unknown, signature: string | readonly string[] | undefined | null, secret: string): T {
  const header = Array.isArray(signature) ? signature[0] : signature;
  if (typeof header !== 'string' || header.trim() === '') {
    throw new WebhookVerificationError('MISSING_SIGNATURE', 'Missing signature: the request has no readme-signature header');
  }
  if (typeof secret !== 'string' || secret === '') {
    throw new WebhookVerificationError('MISSING_SECRET', 'Missing secret: pass the webhook secret from your ReadMe dashboard');
  }
  const { time, stamp, signatures } = parseHeader(header);
  const age = Date.now() - time;
  if (age > WEBHOOK_TOLERANCE_MS) {
    throw new WebhookVerificationError('EXPIRED_SIGNATURE', `Expired signature: signed ${Math.round(age / 60_000)} minutes ago, the limit is 30`);
  }
  if (age < -WEBHOOK_TOLERANCE_MS) {
    throw new WebhookVerificationError('EXPIRED_SIGNATURE', 'Expired signature: the timestamp is more than 30 minutes in the future');
  }
  const bytes = bodyBytes(body);
  const expected = createHmac('sha256', secret).update(`${stamp}.`).update(bytes).digest();
  const ok = signatures.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  if (!ok) throw new WebhookVerificationError('INVALID_SIGNATURE', 'Invalid signature: it does not match the body and secret');
  if (typeof body === 'object' && body !== null && !(body instanceof Uint8Array)) return body as T;
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new WebhookVerificationError('INVALID_BODY', 'Invalid webhook body: the signature matches but the body is not JSON');
  }
}
