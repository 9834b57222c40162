import { join } from 'node:path';
import { version } from '../version';
import { UsageError } from './args';
import { runDev } from './dev';
import { MAIN_HELP } from './help';
import { runInspect } from './inspect';

type Command = (argv: string[]) => Promise<number>;

/** The `readme-metrics` command line. Resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'dev':
        return await runDev(rest);
      case 'inspect':
        return await runInspect(rest);
      case 'check':
        return await runCheck(rest);
      case '-v':
      case '--version':
        process.stdout.write(`${version}\n`);
        return 0;
      case 'help':
      case '-h':
      case '--help':
        process.stdout.write(MAIN_HELP);
        return 0;
      case undefined:
        process.stderr.write(MAIN_HELP);
        return 2;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`readme-metrics: ${message}\n`);
    if (err instanceof UsageError) {
      process.stderr.write(`Run readme-metrics ${command && !command.startsWith('-') ? `${command} ` : ''}--help for usage.\n`);
      return 2;
    }
    return 1;
  }
}

/** `check` lives in its own module (dist/cli/check.js), which may not be built yet. */
async function runCheck(argv: string[]): Promise<number> {
  const path = join(__dirname, 'check.js');
  let mod: { runCheck?: Command };
  try {
    // A computed path keeps the compiler from requiring check.ts to exist.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path) as { runCheck?: Command };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(path)) {
      process.stderr.write('readme-metrics: the check command is not available in this build\n');
      return 1;
    }
    throw err;
  }
  if (typeof mod.runCheck !== 'function') {
    process.stderr.write('readme-metrics: the check command is not available in this build\n');
    return 1;
  }
  return mod.runCheck(argv);
}
