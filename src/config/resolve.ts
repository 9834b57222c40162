import type { GetUserByEmail, GroupingFunction, Options } from '../types';
import { DEPRECATED_ALIASES, OPTIONS, type OptionSpec } from './options';
import { describe, SettingError } from './parse';

/** The one validated, frozen configuration every part of the SDK reads. */
export interface Config {
  apiKey: string | undefined;
  groupingFunction: GroupingFunction | undefined;
  bufferLength: number;
  development: boolean;
  backgroundWorkerMode: boolean;
  denylist: readonly string[] | undefined;
  allowlist: readonly string[] | undefined;
  allowedHttpHosts: readonly string[] | undefined;
  timeout: number;
  baseLogUrl: string | undefined;
  metricsServer: string;
  readmeApiUrl: string;
  maxBodySize: number;
  flushInterval: number;
  ignorePaths: ReadonlyArray<string | RegExp> | undefined;
  ignoreMethods: readonly string[];
  sampleRate: number;
  documentationUrlHeader: boolean;
  defaultDenylist: boolean;
  trustProxy: boolean;
  maxQueueEntries: number;
  maxQueueBytes: number;
  shutdownTimeout: number;
  compression: 'gzip' | 'none';
  groupingTimeout: number;
  secretScan: boolean;
  getUserByEmail: GetUserByEmail | undefined;
  webhookPath: string;
  webhookSecret: string | undefined;
  openapi: string | undefined;
  enabled: boolean;
}

export interface Resolved {
  config: Readonly<Config>;
  /** One line per problem, each naming the setting, the bad value and what was used instead. */
  problems: string[];
  /** Where each setting came from, for `readme-metrics check`. */
  sources: Record<string, 'env' | 'file' | 'default'>;
}

/** Environment > config file > defaults. A bad value falls back to the next source and is reported. */
export function resolveConfig(
  file: Options | undefined,
  env: NodeJS.ProcessEnv = process.env,
  fileName = 'readme-metrics.config',
): Resolved {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const sources: Record<string, 'env' | 'file' | 'default'> = {};
  const fileOptions: Record<string, unknown> = { ...(file ?? {}) };

  for (const [old, current] of Object.entries(DEPRECATED_ALIASES)) {
    if (fileOptions[old] === undefined) continue;
    problems.push(`${old} in ${fileName} is deprecated; use ${current}`);
    if (fileOptions[current] === undefined) fileOptions[current] = fileOptions[old];
    delete fileOptions[old];
  }
  const known = new Set(OPTIONS.map((o) => o.key));
  for (const key of Object.keys(fileOptions)) {
    if (!known.has(key)) problems.push(`unknown option ${key} in ${fileName} (ignored)`);
  }

  for (const spec of OPTIONS) {
    const fromFile = tryParse(spec, fileOptions[spec.key], `${spec.key} in ${fileName}`, problems);
    const rawEnv = spec.env ? env[spec.env] : undefined;
    const fromEnv = rawEnv === undefined || rawEnv === '' ? undefined : tryParse(spec, rawEnv, spec.env!, problems, fromFile);
    if (fromEnv !== undefined) {
      values[spec.key] = fromEnv;
      sources[spec.key] = 'env';
    } else if (fromFile !== undefined) {
      values[spec.key] = fromFile;
      sources[spec.key] = 'file';
    } else {
      values[spec.key] = spec.default;
      sources[spec.key] = 'default';
    }
  }

  return { config: Object.freeze(values) as unknown as Config, problems, sources };
}

function tryParse(spec: OptionSpec, raw: unknown, name: string, problems: string[], fallback?: unknown): unknown {
  if (raw === undefined || raw === null) return undefined;
  try {
    return spec.parse(raw);
  } catch (err) {
    if (!(err instanceof SettingError)) throw err;
    const used = fallback !== undefined ? describe(fallback) : spec.default === undefined ? 'nothing' : `the default ${describe(spec.default)}`;
    problems.push(`${name} ${err.message}, got ${describe(raw)}; using ${used}`);
    return undefined;
  }
}
