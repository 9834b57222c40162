import type { IncomingMessage, ServerResponse } from 'node:http';
import { debug, errorMessage, warnOnce } from '../debug';
import type { Stats } from '../transport/settings';
import type { GetUserByEmail } from '../types';
import { answerWebhook } from './answer';
import { pathOf, SETUP_PATH, TEST_PATH } from './paths';
import { ProjectLookup, type ProjectSettings } from './project';
import { runSelfTest } from './self-test';
import { setupPage } from './setup-page';

export interface WebhookSettings extends ProjectSettings {
  getUserByEmail: GetUserByEmail;
  webhookPath: string;
  development: boolean;
  /** For the setup page: whether logs are being sent, and the counters so far. */
  metrics(): { sending: boolean; stats: Stats };
}

export type WebhookRoute = 'webhook' | 'setup' | 'test';

// ReadMe posts {"email": ...}; express.json()'s default limit, which the official SDK's users sit behind.
const MAX_BODY_BYTES = 100 * 1024;
// A signature that does not match a looked-up secret older than this asks ReadMe for the secret again (rotation).
const REFRESH_AFTER_MS = 60_000;

/**
 * The development pages hand out any developer's keys to whoever asks, so they answer only requests made on
 * this machine, not through a proxy: `development: true` left on a reachable server must not leak keys.
 */
function fromThisMachine(req: IncomingMessage): boolean {
  const a = req.socket?.remoteAddress ?? '';
  const loopback = a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

// Marks the requests answered here (or passed on from here), so the capture, which may have seen one
// start before the config file had loaded, leaves it out.
const HANDLED = Symbol('readme-metrics.webhook');

export function handledByWebhook(req: IncomingMessage): boolean {
  return (req as { [HANDLED]?: true })[HANDLED] === true;
}

function send(res: ServerResponse, status: number, type: string, text: string, extra: Record<string, string> = {}): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, json: string): void => send(res, status, 'application/json; charset=utf-8', json);

/** The request body, or undefined past the limit. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
    req.on('close', () => reject(new Error('the client left before the body ended')));
  });
}

/** Decides which requests are ours and answers them; every other request goes to the app untouched. */
export class WebhookRoutes {
  private readonly project: ProjectLookup;

  constructor(private readonly settings: WebhookSettings) {
    this.project = new ProjectLookup(settings);
  }

  route(req: IncomingMessage): WebhookRoute | undefined {
    try {
      const path = pathOf(req.url);
      if (req.method === 'POST' && path === this.settings.webhookPath) return 'webhook';
      if (!this.settings.development || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
      if (path !== SETUP_PATH && path !== TEST_PATH) return undefined;
      if (!fromThisMachine(req)) return undefined;
      return path === SETUP_PATH ? 'setup' : 'test';
    } catch {
      return undefined;
    }
  }

  /** As the official SDK: the requests we answer ourselves are not logged. */
  claims(req: IncomingMessage): boolean {
    return this.route(req) !== undefined;
  }

  async handle(route: WebhookRoute, req: IncomingMessage, res: ServerResponse, passOn: () => void): Promise<void> {
    (req as { [HANDLED]?: true })[HANDLED] = true;
    try {
      if (route === 'webhook') await this.webhook(req, res, passOn);
      else if (route === 'setup') await this.setup(res);
      else await this.selfTest(req, res);
    } catch (err) {
      debug(`${route} not answered: ${errorMessage(err)}`);
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, JSON.stringify({ error: 'readme-metrics could not answer' }));
      else res.destroy();
    }
  }

  private async webhook(req: IncomingMessage, res: ServerResponse, passOn: () => void): Promise<void> {
    const { secret } = await this.project.get();
    if (!secret) {
      // As the official SDK when it cannot reach ReadMe: the app gets the request, nothing breaks.
      warnOnce('webhook-secret', `no webhook secret (README_WEBHOOK_SECRET, or the jwtSecret of the project lookup with README_API_KEY): POST ${this.settings.webhookPath} is passed to the app`);
      return passOn();
    }
    const raw = await readBody(req);
    if (!raw) return send(res, 413, 'application/json; charset=utf-8', JSON.stringify({ error: 'Payload Too Large' }), { connection: 'close' });
    const signature = req.headers['readme-signature'];
    let answer = await answerWebhook(raw, signature, secret, this.settings.getUserByEmail);
    if (answer.badSignature && this.project.forget(REFRESH_AFTER_MS)) {
      const fresh = await this.project.get();
      if (fresh.secret && fresh.secret !== secret) answer = await answerWebhook(raw, signature, fresh.secret, this.settings.getUserByEmail);
    }
    sendJson(res, answer.status, answer.json);
  }

  private async setup(res: ServerResponse): Promise<void> {
    const project = await this.project.get();
    const html = setupPage({ webhookPath: this.settings.webhookPath, hasSecret: project.secret !== undefined, subdomain: project.subdomain, ...this.settings.metrics() });
    send(res, 200, 'text/html; charset=utf-8', html, {
      // Inline only: nothing on the page may load from elsewhere.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
    });
  }

  private async selfTest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const email = new URL(req.url ?? '/', 'http://localhost').searchParams.get('email') ?? '';
    const { secret } = await this.project.get();
    const result = await runSelfTest(req, this.settings.webhookPath, email, secret ?? '');
    sendJson(res, 200, JSON.stringify(result));
  }
}
