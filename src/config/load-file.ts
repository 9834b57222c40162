import { existsSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import type { ConfigFileExport, Options } from '../types';

export const CONFIG_FILE_NAMES = [
  'readme-metrics.config.ts',
  'readme-metrics.config.mts',
  'readme-metrics.config.cts',
  'readme-metrics.config.js',
  'readme-metrics.config.mjs',
  'readme-metrics.config.cjs',
] as const;

export class ConfigFileError extends Error {}

/** README_METRICS_CONFIG names a file explicitly; otherwise the first of CONFIG_FILE_NAMES in cwd. */
export function findConfigFile(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.README_METRICS_CONFIG;
  if (explicit) {
    const path = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigFileError(`README_METRICS_CONFIG names ${path}, which does not exist`);
    return path;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Loads a config file of any supported kind. TypeScript goes through jiti so it loads on Node versions
 * without type stripping; jiti is required lazily so apps without a config file never pay for it.
 */
export async function loadConfigFile(path: string): Promise<Options> {
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createJiti } = require('jiti') as typeof import('jiti');
    const jiti = createJiti(__filename, { moduleCache: false, fsCache: false });
    mod = await jiti.import(path);
  } catch (err) {
    throw new ConfigFileError(`could not load ${where(err, path)}: ${firstLine(err)}`);
  }
  const exported = pickDefault(mod) as ConfigFileExport | undefined;
  if (typeof exported === 'function') return { groupingFunction: exported };
  if (exported && typeof exported === 'object') return exported;
  throw new ConfigFileError(`${basename(path)} must export a config object or a grouping function as its default export`);
}

function pickDefault(mod: unknown): unknown {
  let m = mod as { default?: unknown } | undefined;
  // `export default` compiled to CommonJS can arrive wrapped twice.
  for (let i = 0; i < 2 && m && typeof m === 'object' && 'default' in m && m.default !== undefined; i++) {
    m = m.default as { default?: unknown };
  }
  return m;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

/** The file and line of the config file in the error's stack, so the user sees where it broke. */
function where(err: unknown, path: string): string {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const name = basename(path);
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+)(?::(\\d+))?`).exec(stack);
  if (m) return `${name}:${m[1]}`;
  const loc = err && typeof err === 'object' && 'loc' in err ? (err as { loc?: { line?: number } }).loc : undefined;
  if (loc?.line) return `${name}:${loc.line}`;
  return name;
}
