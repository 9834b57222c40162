import { createHmac } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { userAgent } from '../version';

/** What `/webhook-test` answers, with the official SDK's `webhookError` values. */
export interface SelfTestResult {
  webhookError?: 'FAILED_VERIFY' | 'UNVERIFIED' | 'UNKNOWN' | 'EMPTY_USER' | 'MISSING_KEYS';
  error?: string;
  user?: unknown;
}

const TIMEOUT_MS = 10_000;

/**
 * Calls this server's own webhook twice, as ReadMe would (signed) and unsigned, and says what a developer
 * would get. It connects to the address the request arrived on, never to its Host header, so a forged
 * Host cannot send a signed call elsewhere.
 */
export async function runSelfTest(req: IncomingMessage, webhookPath: string, email: string, secret: string): Promise<SelfTestResult> {
  let signed: unknown;
  try {
    if (!email || !secret) throw new Error('Missing required params');
    signed = await post(req, webhookPath, email, secret);
  } catch (err) {
    return { webhookError: 'FAILED_VERIFY', error: err instanceof Error ? err.message : String(err) };
  }
  try {
    const unsigned = await post(req, webhookPath, email, undefined);
    return { webhookError: JSON.stringify(unsigned) === JSON.stringify(signed) ? 'UNVERIFIED' : 'UNKNOWN' };
  } catch {
    // The unsigned call was refused, as it must be.
  }
  if (JSON.stringify(signed) === '{}') return { webhookError: 'EMPTY_USER' };
  if (signed === null || typeof signed !== 'object' || !('keys' in signed) || !(signed as { keys?: unknown }).keys) {
    return { webhookError: 'MISSING_KEYS', user: signed };
  }
  return { user: signed };
}

/** One call to our own webhook; resolves with its JSON on 200, rejects with its `error` otherwise. */
function post(req: IncomingMessage, path: string, email: string, secret: string | undefined): Promise<unknown> {
  const body = JSON.stringify({ email });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent, 'content-length': String(Buffer.byteLength(body)) };
  if (req.headers.host) headers.host = req.headers.host;
  if (secret !== undefined) {
    const time = Date.now();
    headers['readme-signature'] = `t=${time},v0=${createHmac('sha256', secret).update(`${time}.${body}`).digest('hex')}`;
  }
  const socket = req.socket as TLSSocket;
  const lib = socket.encrypted ? https : http;
  return new Promise((resolve, reject) => {
    const out = lib.request(
      {
        host: socket.localAddress,
        port: socket.localPort,
        path,
        method: 'POST',
        headers,
        agent: false,
        // Our own listening socket: its certificate may well be a self-signed development one.
        rejectUnauthorized: false,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            return reject(new Error(`the webhook answered ${res.statusCode} with a body that is not JSON`));
          }
          if (res.statusCode === 200) resolve(json);
          else reject(new Error(String((json as { error?: unknown } | null)?.error ?? `status ${res.statusCode}`)));
        });
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}
