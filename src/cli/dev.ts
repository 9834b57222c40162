import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, UsageError } from './args';
import { childEnv } from './child-env';
import { DEV_HELP } from './help';
import { openInspector } from './serve';
import { painter, requestLine } from './terminal';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a Ctrl-C typed in a terminal is given to reach the command by itself. */
const TERMINAL_SIGINT_GRACE_MS = 3_000;

/** `readme-metrics dev [options] -- <command...>`: resolves with the exit code to exit with. */
export async function runDev(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['port', 'store', 'max-entries', 'openapi'], flags: ['help', 'quiet'] });
  if (args.flags.has('help')) {
    process.stdout.write(DEV_HELP);
    return 0;
  }
  const command = args.rest;
  if (command.length === 0) throw new UsageError('missing the command to run, e.g. readme-metrics dev -- node server.js');

  const p = painter(process.stderr);
  const { collector, say } = await openInspector(args.values, p);
  say(`running   ${command.join(' ')}`);
  if (!args.flags.has('quiet')) {
    collector.store.on('log', (s) => process.stderr.write(`${requestLine(s, collector.url, p)}\n`));
  }

  // A single word with spaces is a shell command line ("npm run start:dev"); Windows needs a shell
  // to find npm.cmd and friends.
  const shell = process.platform === 'win32' || (command.length === 1 && /\s/.test(command[0]));
  const env = childEnv(process.env, collector);
  // The app names its endpoints by the same definition the dashboard compares them with.
  if (args.values.openapi) env.README_OPENAPI = resolve(args.values.openapi);
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env, shell });

  const stopForwarding = forwardSignals(child);
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  stopForwarding();
  await collector.close();

  if (outcome.error) {
    const notFound = (outcome.error as NodeJS.ErrnoException).code === 'ENOENT';
    say(notFound ? `command not found: ${command[0]}` : `could not run ${command[0]}: ${outcome.error.message}`);
    return notFound ? 127 : 1;
  }
  if (outcome.signal) {
    say(`${command[0]} ended by ${outcome.signal}`);
    return 128 + (constants.signals[outcome.signal] ?? 0);
  }
  return outcome.code ?? 0;
}

/**
 * Passes signals on to the command. Ctrl-C in a terminal already reaches the whole foreground process
 * group, command included; sending it a second SIGINT would cut short its graceful shutdown (a
 * `process.once('SIGINT')` handler, then the default action). So with a terminal, SIGINT is passed on
 * only if the command is still running after a grace period; without one (a supervisor, a test) it is
 * passed on at once. A third signal means the command is stuck: SIGKILL.
 */
function forwardSignals(child: ChildProcess): () => void {
  let received = 0;
  const timers = new Set<NodeJS.Timeout>();
  const running = () => child.exitCode === null && child.signalCode === null;
  const forward = (signal: NodeJS.Signals) => {
    received++;
    if (!running()) return;
    if (received >= 3) return void child.kill('SIGKILL');
    if (signal === 'SIGINT' && process.stdin.isTTY) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (running()) child.kill('SIGINT');
      }, TERMINAL_SIGINT_GRACE_MS);
      timers.add(timer);
      return;
    }
    child.kill(signal);
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  return () => {
    for (const sig of FORWARDED) process.off(sig, forward);
    for (const t of timers) clearTimeout(t);
  };
}
