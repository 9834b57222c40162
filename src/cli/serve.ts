import { resolve } from 'node:path';
import { startCollector, type Collector } from '../inspector/collector';
import type { DefinitionSource } from '../openapi';
import { parsePort, parsePositive } from './args';
import { inspectorDefinition } from './definition';
import type { Painter } from './terminal';

/** R-D-M-E on a phone keypad; nothing common listens there. */
export const DEFAULT_PORT = 7363;

export interface InspectorOptions {
  port?: number;
  store?: string;
  maxEntries?: number;
  definition?: DefinitionSource;
}

/**
 * Starts the collector and dashboard on 127.0.0.1. The default port is fixed so the URL stays the
 * same between runs; when it is taken (another inspector, say) any free port will do.
 */
export async function startInspector(opts: InspectorOptions, log: (line: string) => void): Promise<Collector> {
  const port = opts.port ?? DEFAULT_PORT;
  const common = { maxEntries: opts.maxEntries, persistFile: opts.store ? resolve(opts.store) : undefined, definition: opts.definition };
  try {
    return await startCollector({ ...common, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    const collector = await startCollector({ ...common, port: 0 });
    log(`port ${port} is in use, using ${collector.port} instead`);
    return collector;
  }
}

/**
 * The environment that points an app at the inspector. Its API key is the session's token, which the
 * collector requires on ingestion; the user's own ReadMe key is never handed on. The project lookup
 * (the webhook secret) is the inspector's too: ReadMe would refuse the session token.
 */
export function inspectorEnv(collector: Collector): Record<string, string> {
  return {
    README_METRICS_SERVER: collector.url,
    README_BASE_LOG_URL: collector.url,
    README_API_URL: collector.url,
    README_API_KEY: collector.token,
    README_DEVELOPMENT_MODE: 'true',
    README_BUFFER_LENGTH: '1',
    README_FLUSH_INTERVAL: '100',
  };
}

/**
 * What `dev` and `inspect` share: start the inspector from the parsed flags, say where the dashboard
 * is (and where logs are kept), and return the collector with the line printer both commands use.
 */
export async function openInspector(
  values: Record<string, string | undefined>,
  p: Painter,
): Promise<{ collector: Collector; say: (line: string) => void }> {
  const say = (line: string): void => {
    process.stderr.write(`${p.dim('[readme-metrics]')} ${line}\n`);
  };
  const definition = await inspectorDefinition(values.openapi);
  const collector = await startInspector(
    { port: parsePort(values.port), store: values.store, maxEntries: parsePositive('max-entries', values['max-entries']), definition },
    say,
  );
  say(`dashboard ${p.bold(collector.url)}`);
  const { matcher } = definition.current();
  if (matcher) say(`API definition ${matcher.definition.file} (${matcher.definition.operations.length} operations): see API coverage on the dashboard`);
  if (collector.persistFile) say(`logs kept in ${collector.persistFile}${collector.restored ? ` (${collector.restored} restored)` : ''}`);
  return { collector, say };
}
