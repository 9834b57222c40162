import { parseArgs } from './args';
import { REGISTER_PATH } from './child-env';
import { INSPECT_HELP } from './help';
import { inspectorEnv, openInspector } from './serve';
import { painter, requestLine } from './terminal';

/** `readme-metrics inspect`: the collector and dashboard alone, until Ctrl-C. */
export async function runInspect(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['port', 'store', 'max-entries', 'openapi'], flags: ['help', 'quiet'] });
  if (args.flags.has('help')) {
    process.stdout.write(INSPECT_HELP);
    return 0;
  }
  if (args.rest.length) throw new Error(`inspect takes no command (did you mean readme-metrics dev -- ${args.rest.join(' ')}?)`);
  const p = painter(process.stderr);
  const { collector, say } = await openInspector(args.values, p);
  say('point an app at it with this environment (stdout, ready for `export`):');
  const env = { ...inspectorEnv(collector), NODE_OPTIONS: `--require ${REGISTER_PATH}` };
  // Values go to stdout alone so `eval "$(readme-metrics inspect | head -7)"`-style use stays clean.
  for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${shellQuote(v)}\n`);
  say('or run it with: readme-metrics dev -- <command>. Ctrl-C to stop.');
  if (!args.flags.has('quiet')) {
    collector.store.on('log', (s) => process.stderr.write(`${requestLine(s, collector.url, p)}\n`));
  }

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await collector.close();
  return 0;
}

function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
