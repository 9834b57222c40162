import type { StoredLog } from '../inspector/store';
import { summarize } from '../inspector/summary';

const useColor = (stream: NodeJS.WriteStream): boolean =>
  !!stream.isTTY && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';

export interface Painter {
  dim(s: string): string;
  bold(s: string): string;
  status(code: number, s: string): string;
}

export function painter(stream: NodeJS.WriteStream = process.stderr): Painter {
  const on = useColor(stream);
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  const dim = wrap(2, 22);
  const bold = wrap(1, 22);
  const red = wrap(31, 39);
  const yellow = wrap(33, 39);
  const green = wrap(32, 39);
  const cyan = wrap(36, 39);
  return {
    dim,
    bold,
    status: (code, s) => (code >= 500 ? red(s) : code >= 400 ? yellow(s) : code >= 300 ? cyan(s) : green(s)),
  };
}

/** One line per logged request, with the link that opens it in the dashboard. */
export function requestLine(stored: StoredLog, dashboardUrl: string, p: Painter): string {
  const s = summarize(stored);
  const what = s.route ?? s.path;
  const who = s.consumer.label ?? s.consumer.email ?? '';
  return [
    p.dim('[readme-metrics]'),
    s.method.padEnd(6),
    what,
    p.status(s.status, String(s.status)),
    p.dim(`${Math.round(s.time)}ms`),
    who ? p.dim(who) : '',
    p.dim(`${dashboardUrl}/logs/${encodeURIComponent(s.id)}`),
  ]
    .filter(Boolean)
    .join(' ');
}
