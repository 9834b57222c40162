import { errorMessage, warnOnce, debug } from '../debug';
import type { GetUserByEmail } from '../types';
import { verifyWebhook, WebhookVerificationError } from './verify';

/** What the webhook sends back: a status and a JSON text. */
export interface WebhookAnswer {
  status: number;
  json: string;
  /** The signature did not match: worth one retry with a freshly looked-up secret. */
  badSignature?: boolean;
}

// The official SDK (readmeio 7) answers every failure 400 with {"error": message}, using these messages.
const MESSAGES: Record<string, string> = {
  MISSING_SIGNATURE: 'Missing Signature',
  EXPIRED_SIGNATURE: 'Expired Signature',
  MALFORMED_SIGNATURE: 'Invalid Signature',
  INVALID_SIGNATURE: 'Invalid Signature',
  INVALID_BODY: 'Invalid Body: expected JSON',
};

function failure(message: string, badSignature = false): WebhookAnswer {
  return { status: 400, json: JSON.stringify({ error: message }), badSignature };
}

/**
 * ReadMe signs JSON.stringify of its payload and the official SDK verifies the re-serialised parsed body;
 * we verify the bytes as received first, then their re-serialisation, so both match exactly what it accepts.
 */
function verified(raw: Buffer, signature: string | string[] | undefined, secret: string): unknown {
  try {
    return verifyWebhook(raw, signature, secret);
  } catch (err) {
    if (!(err instanceof WebhookVerificationError) || err.code !== 'INVALID_SIGNATURE') throw err;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw err;
    }
    return verifyWebhook(parsed, signature, secret);
  }
}

/** Verifies one webhook call and asks the user's function for the developer behind its email. Never throws. */
export async function answerWebhook(raw: Buffer, signature: string | string[] | undefined, secret: string, getUserByEmail: GetUserByEmail): Promise<WebhookAnswer> {
  let payload: unknown;
  try {
    payload = verified(raw, signature, secret);
  } catch (err) {
    const code = err instanceof WebhookVerificationError ? err.code : 'INVALID_SIGNATURE';
    debug(`webhook call refused: ${errorMessage(err)}`);
    return failure(MESSAGES[code] ?? 'Invalid Signature', code === 'INVALID_SIGNATURE');
  }
  const email = payload !== null && typeof payload === 'object' ? (payload as { email?: unknown }).email : undefined;
  try {
    // As the official SDK: a call without an email is an unknown user, and the function is not asked.
    const user = typeof email === 'string' ? await getUserByEmail(email) : undefined;
    if (!user) return failure(`User with email ${String(email)} not found`);
    return { status: 200, json: JSON.stringify(user) ?? '{}' };
  } catch (err) {
    warnOnce('webhook-user', `getUserByEmail threw (${errorMessage(err)}); ReadMe is answered 400 with that message (shown once)`);
    return failure(errorMessage(err));
  }
}
