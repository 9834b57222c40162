import { Worker, type WorkerOptions } from 'node:worker_threads';

// A worker thread runs the app's preloads again (--require, --import, loaders; from the command line and
// from NODE_OPTIONS). In ours, an APM's preload (OpenTelemetry, Sentry, dd-trace) would start a second
// agent and report the SDK's own calls to the Metrics API as the app's traffic, and any preload would cost
// memory and startup for nothing the SDK uses. So the SDK's workers start without them.

/** Options that load code into every thread, written `--flag value` or `--flag=value`. */
const PRELOADS = new Set(['--require', '-r', '--import', '--loader', '--experimental-loader']);

/** The arguments without the preloads and their values; everything else kept, in order. */
export function withoutPreloads(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    if (PRELOADS.has(arg)) i++; // its value is the next argument
    else if (!(eq > 0 && PRELOADS.has(arg.slice(0, eq)))) out.push(arg);
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

/** Arguments written as NODE_OPTIONS, so that splitNodeOptions() (and Node) reads them back unchanged. */
export function joinNodeOptions(args: readonly string[]): string {
  return args.map((arg) => (/[\s"\\]/.test(arg) ? `"${arg.replace(/["\\]/g, (c) => `\\${c}`)}"` : arg)).join(' ');
}

/**
 * What a worker refused, from its error: options given explicitly that only the process may take ("invalid
 * execArgv flags: --max-old-space-size=200, --title=x"), or one such option in NODE_OPTIONS ("invalid
 * NODE_OPTIONS env variable: --use-openssl-ca is not allowed in NODE_OPTIONS"; Node 20-24). Null when the
 * error is not such a refusal or cannot be read.
 */
function refusal(err: unknown): ((arg: string) => boolean) | null {
  if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return null;
  const message = (err as Error).message;
  const flags = /invalid execArgv flags: (.*)$/.exec(message);
  if (flags) {
    const refused = new Set(flags[1].split(', '));
    return (arg) => refused.has(arg);
  }
  const option = /invalid NODE_OPTIONS env variable: (--[^\s=]+)=? is not allowed in NODE_OPTIONS/.exec(message);
  if (option) return (arg) => arg === option[1] || arg.startsWith(`${option[1]}=`);
  return null;
}

/**
 * Warnings a thread prints as it starts (Node's permission model: "--allow-worker must be used with
 * extreme caution"; NODE_TLS_REJECT_UNAUTHORIZED at our first TLS call) would print again for ours: lines
 * on the app's stderr that only the SDK caused. The SDK reports its own problems without them.
 */
const QUIET = '--no-warnings';

/**
 * Starts one of the SDK's workers without the app's preloads and without Node's warnings. The app's other
 * options are passed on, less those the worker refuses when given explicitly (V8 and process-wide options
 * such as --max-old-space-size or --use-openssl-ca), whose effect it inherits anyway; a refusal it cannot
 * read starts it as Node starts a worker by default, preloads included.
 */
export function startWorker(file: string, options: WorkerOptions): Worker {
  let execArgv = withoutPreloads(process.execArgv);
  if (!execArgv.includes(QUIET)) execArgv.push(QUIET);
  const nodeOptions = splitNodeOptions(process.env.NODE_OPTIONS ?? '');
  let kept = withoutPreloads(nodeOptions);
  const ownEnv = kept.length < nodeOptions.length;
  for (;;) {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: joinNodeOptions(kept) };
    if (kept.length === 0) delete env.NODE_OPTIONS;
    try {
      return new Worker(file, { ...options, execArgv, ...(ownEnv ? { env } : {}) });
    } catch (err) {
      const refused = refusal(err);
      const fewerArgv = refused ? execArgv.filter((a) => !refused(a)) : execArgv;
      const fewerKept = refused ? kept.filter((a) => !refused(a)) : kept;
      if (fewerArgv.length === execArgv.length && fewerKept.length === kept.length) break;
      execArgv = fewerArgv;
      kept = fewerKept;
    }
  }
  return new Worker(file, options);
}
