import * as p from './parse';

// One row per option: its config-file key, its environment variable, how to parse it and its default.
// Everything else (validation messages, precedence, the README table) derives from this table.
export interface OptionSpec {
  key: string;
  env?: string;
  parse: (v: unknown) => unknown;
  default: unknown;
  /** Shown in error messages and the README table. */
  expected: string;
  secret?: boolean;
}

export const DEFAULT_METRICS_SERVER = 'https://metrics.readme.io';
export const DEFAULT_README_API_URL = 'https://dash.readme.com/api';

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'apiKey', env: 'README_API_KEY', parse: p.parseString, default: undefined, expected: 'string', secret: true },
  { key: 'groupingFunction', parse: p.parseFunction, default: undefined, expected: 'function' },
  { key: 'bufferLength', env: 'README_BUFFER_LENGTH', parse: p.parsePositiveInteger, default: 10, expected: 'whole number > 0' },
  { key: 'development', env: 'README_DEVELOPMENT_MODE', parse: p.parseBoolean, default: false, expected: 'boolean' },
  { key: 'backgroundWorkerMode', env: 'README_BACKGROUND_WORKER_MODE', parse: p.parseBoolean, default: true, expected: 'boolean' },
  { key: 'denylist', env: 'README_DENYLIST', parse: p.parseStringList, default: undefined, expected: 'list of keys' },
  { key: 'allowlist', env: 'README_ALLOWLIST', parse: p.parseStringList, default: undefined, expected: 'list of keys' },
  { key: 'allowedHttpHosts', env: 'README_ALLOWED_HTTP_HOSTS', parse: p.parseStringList, default: undefined, expected: 'list of hosts' },
  { key: 'timeout', env: 'README_TIMEOUT', parse: p.parseSeconds, default: 3, expected: 'seconds > 0' },
  { key: 'baseLogUrl', env: 'README_BASE_LOG_URL', parse: p.parseUrl, default: undefined, expected: 'URL' },
  { key: 'metricsServer', env: 'README_METRICS_SERVER', parse: p.parseUrl, default: DEFAULT_METRICS_SERVER, expected: 'URL' },
  { key: 'readmeApiUrl', env: 'README_API_URL', parse: p.parseUrl, default: DEFAULT_README_API_URL, expected: 'URL' },
  { key: 'maxBodySize', env: 'README_MAX_BODY_SIZE', parse: p.parseNonNegativeInteger, default: 256 * 1024, expected: 'bytes >= 0' },
  { key: 'flushInterval', env: 'README_FLUSH_INTERVAL', parse: p.parsePositiveInteger, default: 1000, expected: 'milliseconds > 0' },
  { key: 'ignorePaths', env: 'README_IGNORE_PATHS', parse: p.parsePatternList, default: undefined, expected: 'list of paths' },
  { key: 'ignoreMethods', env: 'README_IGNORE_METHODS', parse: p.parseStringList, default: ['OPTIONS'], expected: 'list of methods' },
  { key: 'sampleRate', env: 'README_SAMPLE_RATE', parse: p.parseRatio, default: 1, expected: '0..1' },
  { key: 'documentationUrlHeader', env: 'README_DOCUMENTATION_URL_HEADER', parse: p.parseBoolean, default: true, expected: 'boolean' },
  { key: 'defaultDenylist', env: 'README_DEFAULT_DENYLIST', parse: p.parseBoolean, default: true, expected: 'boolean' },
  { key: 'trustProxy', env: 'README_TRUST_PROXY', parse: p.parseBoolean, default: false, expected: 'boolean' },
  // 20,000: over a second of a busy node:http app (16k req/s on 2 cores), where 5,000 was a third of one and
  // a passing stall of the Metrics API dropped logs; memory stays capped by maxQueueBytes, as a log is ~1 KB or more.
  { key: 'maxQueueEntries', env: 'README_MAX_QUEUE_ENTRIES', parse: p.parsePositiveInteger, default: 20_000, expected: 'whole number > 0' },
  { key: 'maxQueueBytes', env: 'README_MAX_QUEUE_BYTES', parse: p.parsePositiveInteger, default: 16 * 1024 * 1024, expected: 'bytes > 0' },
  { key: 'shutdownTimeout', env: 'README_SHUTDOWN_TIMEOUT', parse: p.parsePositiveInteger, default: 3000, expected: 'milliseconds > 0' },
  { key: 'compression', env: 'README_COMPRESSION', parse: p.oneOf('gzip', 'none'), default: 'gzip', expected: 'gzip or none' },
  { key: 'groupingTimeout', env: 'README_GROUPING_TIMEOUT', parse: p.parsePositiveInteger, default: 1000, expected: 'milliseconds > 0' },
  { key: 'secretScan', env: 'README_SECRET_SCAN', parse: p.parseBoolean, default: true, expected: 'boolean' },
  { key: 'getUserByEmail', parse: p.parseFunction, default: undefined, expected: 'function' },
  { key: 'webhookPath', env: 'README_WEBHOOK_PATH', parse: p.parsePath, default: '/readme-webhook', expected: 'path starting with /' },
  { key: 'webhookSecret', env: 'README_WEBHOOK_SECRET', parse: p.parseString, default: undefined, expected: 'string', secret: true },
  { key: 'openapi', env: 'README_OPENAPI', parse: p.parseString, default: undefined, expected: 'string' },
  { key: 'enabled', env: 'README_METRICS_ENABLED', parse: p.parseBoolean, default: true, expected: 'boolean' },
];

/** Seed-era names, still accepted with a one-time warning. */
export const DEPRECATED_ALIASES: Readonly<Record<string, string>> = { blacklist: 'denylist', whitelist: 'allowlist' };
