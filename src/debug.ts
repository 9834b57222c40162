import { debuglog } from 'node:util';

// NODE_DEBUG=readme-metrics works like every core module; README_METRICS_DEBUG=1 is the friendly switch.
const nodeDebug = debuglog('readme-metrics');
const friendly = /^(1|true|yes)$/i.test(process.env.README_METRICS_DEBUG ?? '');

export const debugEnabled = friendly || nodeDebug.enabled;

export function debug(message: string, ...args: unknown[]): void {
  if (!debugEnabled) return;
  if (friendly && !nodeDebug.enabled) {
    process.stderr.write(`readme-metrics: ${format(message, args)}\n`);
  } else {
    nodeDebug(message, ...args);
  }
}

const warned = new Set<string>();

/** A warning shown once per key for the life of the process, never once per request. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.stderr.write(`readme-metrics: ${message}\n`);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function format(message: string, args: unknown[]): string {
  if (args.length === 0) return message;
  return `${message} ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`;
}
