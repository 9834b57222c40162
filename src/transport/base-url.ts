import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DAY_MS = 24 * 60 * 60 * 1000;

function cachePath(apiKey: string, readmeApiUrl: string): string {
  const digest = createHash('sha256').update(`${readmeApiUrl}\n${apiKey}`).digest('hex').slice(0, 24);
  return join(process.env.README_METRICS_CACHE_DIR ?? join(tmpdir(), 'readme-metrics'), `base-url-${digest}.json`);
}

/** The project's base URL from the day-long cache file, if fresh. Cheap enough for start-up. */
export function readCachedBaseUrl(apiKey: string, readmeApiUrl: string, now = Date.now()): string | undefined {
  try {
    const data = JSON.parse(readFileSync(cachePath(apiKey, readmeApiUrl), 'utf8')) as { baseUrl?: unknown; expires?: unknown };
    if (typeof data.baseUrl === 'string' && typeof data.expires === 'number' && data.expires > now) return data.baseUrl;
  } catch {}
  return undefined;
}

/** Best effort: a read-only filesystem just means the in-memory value is all we keep. */
export function writeCachedBaseUrl(apiKey: string, readmeApiUrl: string, baseUrl: string, now = Date.now()): void {
  try {
    const path = cachePath(apiKey, readmeApiUrl);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, JSON.stringify({ baseUrl, expires: now + DAY_MS }));
  } catch {}
}

export const BASE_URL_TTL_MS = DAY_MS;
