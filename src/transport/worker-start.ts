import { Worker, type WorkerOptions } from 'node:worker_threads';

// A worker thread runs the app's preloads again (--require, --import, loaders; from the command line and
// from NODE_OPTIONS). In ours, an APM's preload (OpenTelemetry, Sentry, dd-trace) would start a second
// agent and report the SDK's own calls to the Metrics API as the app's traffic, and any preload would cost
// memory and startup for nothing the SDK uses. So the SDK's workers start without them.

/** Options that load code into every thread, written `--flag value` or `--flag=value`. */
const PRELOADS = new Set(['--require', '-r', '--import', '--loader', '--experimental-loader']);

function preloadFlag(arg: string): { flag: boolean; withValue: boolean } {
  if (PRELOADS.has(arg)) return { flag: true, withValue: false };
  const eq = arg.indexOf('=');
  return { flag: eq > 0 && PRELOADS.has(arg.slice(0, eq)), withValue: true };
}

/** The arguments without the preloads and their values; everything else kept, in order. */
export function withoutPreloads(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const { flag, withValue } = preloadFlag(args[i]);
    if (!flag) out.push(args[i]);
    else if (!withValue) i++;
  }
  return out;
}

/**
 * NODE_OPTIONS split as Node splits it (ParseNodeOptionsEnvVar): on spaces outside "double quotes",
 * a backslash inside quotes taking the next character as is, quotes themselves starting no argument.
 */
export function splitNodeOptions(value: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let fresh = true;
  for (let i = 0; i < value.length; i++) {
    let c = value[i];
    if (c === '\\' && quoted && i + 1 < value.length) c = value[++i];
    else if (c === ' ' && !quoted) {
      fresh = true;
      continue;
    } else if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (fresh) out.push(c);
    else out[out.length - 1] += c;
    fresh = false;
  }
  return out;
}

function quoteNodeOption(arg: string): string {
  return /[\s"\\]/.test(arg) ? `"${arg.replace(/["\\]/g, (c) => `\\${c}`)}"` : arg;
}

/** NODE_OPTIONS without its preloads; undefined when nothing is left. */
export function nodeOptionsWithoutPreloads(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const kept = withoutPreloads(splitNodeOptions(value));
  return kept.length === 0 ? undefined : kept.map(quoteNodeOption).join(' ');
}

// "Initiated Worker with invalid execArgv flags: --max-old-space-size=200, --title=x" (Node 20-24).
const INVALID = /invalid execArgv flags: (.*)$/;

/**
 * Starts one of the SDK's workers without the app's preloads. The app's other options are passed on as
 * the worker would have inherited them; those a worker refuses when they are given explicitly (V8 and
 * process-wide options such as --max-old-space-size) are left out, since it inherits their effect anyway.
 */
export function startWorker(file: string, options: WorkerOptions): Worker {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const nodeOptions = nodeOptionsWithoutPreloads(env.NODE_OPTIONS);
  if (nodeOptions === undefined) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = nodeOptions;
  let execArgv = withoutPreloads(process.execArgv);
  for (;;) {
    try {
      return new Worker(file, { ...options, env, execArgv });
    } catch (err) {
      const invalid = (err as { code?: string }).code === 'ERR_WORKER_INVALID_EXEC_ARGV' ? INVALID.exec((err as Error).message) : null;
      const refused = new Set(invalid ? invalid[1].split(', ') : []);
      const fewer = execArgv.filter((a) => !refused.has(a));
      if (fewer.length === execArgv.length) throw err;
      execArgv = fewer;
    }
  }
}
