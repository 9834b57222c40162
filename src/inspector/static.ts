import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';

/**
 * The dashboard's files live in src/inspector/ui (plain JS and CSS, shipped through package.json
 * `files`); tsc does not copy them, so dist/inspector reaches back into src for them.
 */
export const UI_DIR = resolve(__dirname, '..', '..', 'src', 'inspector', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Logs hold whatever clients sent: the page renders them as text only, and this policy makes sure
// nothing in a log could ever run as script or load from elsewhere.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Serves one file of UI_DIR by plain name; anything else (paths, dot files) is not found. */
export async function serveAsset(res: ServerResponse, name: string): Promise<boolean> {
  if (!/^[a-z0-9][a-z0-9-]*\.(html|css|js|svg)$/.test(name)) return false;
  let body: Buffer;
  try {
    body = await readFile(join(UI_DIR, name));
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(name)],
    'content-length': body.length,
    'cache-control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  res.end(body);
  return true;
}
