import http from 'node:http';
import https from 'node:https';
import { debug, errorMessage } from '../debug';
import { userAgent } from '../version';

/** What the webhook needs from the ReadMe project: its signing secret, and the subdomain the setup page links to. */
export interface ProjectInfo {
  secret: string | undefined;
  /** Where the secret came from: a lookup's answer may be refreshed when ReadMe rotates it. */
  source: 'setting' | 'lookup' | 'none';
  subdomain?: string;
}

export interface ProjectSettings {
  webhookSecret: string | undefined;
  apiKey: string | undefined;
  readmeApiUrl: string;
  /** Seconds, as for every call to ReadMe. */
  timeout: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// As the official SDK does for the base URL: a failed lookup is tried again two minutes later, not per request.
const RETRY_MS = 2 * 60 * 1000;
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * The project's webhook secret: the setting when given, else the `jwtSecret` of `GET {readmeApiUrl}/v1/`
 * (the call the base-URL lookup makes), kept in memory for a day. Never written to disk: it is a credential.
 */
export class ProjectLookup {
  private cached: { info: ProjectInfo; until: number; at: number } | undefined;
  private pending: Promise<ProjectInfo> | undefined;

  constructor(private readonly settings: ProjectSettings) {}

  get(now = Date.now()): Promise<ProjectInfo> {
    const s = this.settings;
    if (s.webhookSecret) return Promise.resolve({ secret: s.webhookSecret, source: 'setting' });
    if (!s.apiKey) return Promise.resolve({ secret: undefined, source: 'none' });
    if (this.cached && this.cached.until > now) return Promise.resolve(this.cached.info);
    this.pending ??= this.lookUp(s.apiKey, now).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** A looked-up secret older than `minAgeMs` is dropped, so the next get() asks ReadMe again (secret rotated). */
  forget(minAgeMs: number, now = Date.now()): boolean {
    if (!this.cached || this.cached.info.source !== 'lookup' || now - this.cached.at < minAgeMs) return false;
    this.cached = undefined;
    return true;
  }

  private async lookUp(apiKey: string, started: number): Promise<ProjectInfo> {
    try {
      const body = (await getJson(`${this.settings.readmeApiUrl}/v1/`, apiKey, this.settings.timeout * 1000)) as Record<string, unknown>;
      const secret = typeof body.jwtSecret === 'string' && body.jwtSecret !== '' ? body.jwtSecret : undefined;
      const subdomain = typeof body.subdomain === 'string' ? body.subdomain : undefined;
      const info: ProjectInfo = { secret, source: secret ? 'lookup' : 'none', subdomain };
      this.cached = { info, at: started, until: started + (secret ? DAY_MS : RETRY_MS) };
      return info;
    } catch (err) {
      debug(`webhook secret lookup failed: ${errorMessage(err)}`);
      const info: ProjectInfo = { secret: undefined, source: 'none' };
      this.cached = { info, at: started, until: started + RETRY_MS };
      return info;
    }
  }
}

/** A GET on the app's thread through node:http(s) itself, so an app that mocks or patches fetch cannot interfere. */
function getJson(url: string, apiKey: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(
      url,
      {
        agent: false,
        headers: { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`, accept: 'application/json', 'user-agent': userAgent },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new Error('answer is not JSON'));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}
