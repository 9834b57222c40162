import type { ExpressState } from './express-state';

// Express sets req.baseUrl to the concrete path a router is mounted at: `/users/42/posts` for
// `app.use('/users/:userId/posts', router)`. Its template is rebuilt as the router sets it, when
// req.params holds the values that mount matched (both Express 4 and 5 set them just before).

/** A router entering a mount sets baseUrl to its parent's plus the part the mount matched. */
export function noteMount(state: ExpressState, parent: string, value: unknown, params: unknown): void {
  if (typeof value !== 'string' || value.length <= parent.length || !value.startsWith(parent)) return;
  const part = value.slice(parent.length);
  const template = templateOf(part, params);
  const parentTemplate = state.mounts?.get(parent);
  if (template === part && parentTemplate === undefined) return;
  state.mounts ??= new Map<string, string>();
  state.mounts.set(value, (parentTemplate ?? parent) + template);
}

/**
 * Puts `:name` back for each parameter the mount matched, as whole segments, from the right: a
 * literal segment equal to a value (`/v1/:version` at `/v1/v1`) comes before its parameter.
 */
function templateOf(part: string, params: unknown): string {
  if (typeof params !== 'object' || params === null) return part;
  let segments: string[] | null = null;
  let limit = Infinity;
  const names = Object.keys(params);
  for (let i = names.length - 1; i >= 0; i--) {
    const name = names[i];
    const v = (params as Record<string, unknown>)[name];
    if (typeof v !== 'string' || v === '' || !IDENTIFIER.test(name)) continue;
    segments ??= part.split('/');
    const encoded = encodeURIComponent(v);
    for (let s = Math.min(limit, segments.length) - 1; s >= 0; s--) {
      if (segments[s] === v || segments[s] === encoded) {
        segments[s] = `:${name}`;
        limit = s;
        break;
      }
    }
  }
  return segments === null ? part : segments.join('/');
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
