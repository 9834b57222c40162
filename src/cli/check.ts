import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findConfigFile, loadConfigFile } from '../config/load-file';
import { OPTIONS } from '../config/options';
import { resolveConfig, type Config } from '../config/resolve';
import { errorMessage } from '../debug';
import { findCaller } from '../group/finder';
import { normalizeGroup, type Caller } from '../group/normalize';
import { buildLog } from '../har/build';
import { locateDefinition, OperationMatcher, readDefinition } from '../openapi';
import { createRedactor } from '../redact';
import { MetricsClient } from '../transport/client';
import type { Options } from '../types';
import type { RawCapture } from '../capture/raw-capture';
import { randomUUID } from 'node:crypto';

const USAGE = `Usage: readme-metrics check [--header "Name: value"]... [--path /some/path] [--no-send]

Loads the configuration exactly as the preload does (config file in the current directory or
README_METRICS_CONFIG, then environment variables), prints the resolved settings with secrets
masked, calls the grouping function on a sample request, and sends one test log (marked as
development) to the Metrics server. Exits non-zero with the reason when anything is wrong.`;

interface CheckArgs {
  headers: Array<[string, string]>;
  path: string;
  send: boolean;
}

function parseArgs(argv: string[]): CheckArgs | string {
  const out: CheckArgs = { headers: [], path: '/readme-metrics/check', send: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return USAGE;
    if (a === '--no-send') out.send = false;
    else if (a === '--path' && argv[i + 1]) out.path = argv[++i];
    else if (a === '--header' && argv[i + 1]) {
      const h = argv[++i];
      const colon = h.indexOf(':');
      if (colon <= 0) throw new Error(`--header must look like "Name: value", got "${h}"`);
      out.headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
    } else throw new Error(`unknown argument ${a}\n\n${USAGE}`);
  }
  return out;
}

/** `readme-metrics check`: returns the process exit code. */
export async function runCheck(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let args: CheckArgs | string;
  try {
    args = parseArgs(argv);
  } catch (err) {
    out(`✖ ${errorMessage(err)}`);
    return 2;
  }
  if (typeof args === 'string') {
    out(args);
    return 0;
  }
  let failures = 0;
  const fail = (msg: string): void => {
    failures++;
    out(`✖ ${msg}`);
  };

  let file: Options | undefined;
  let fileName = 'readme-metrics.config';
  try {
    const path = findConfigFile();
    if (path) {
      file = await loadConfigFile(path);
      fileName = path;
      out(`✔ config file: ${path}`);
    } else {
      out('• no config file (using environment variables and defaults)');
    }
  } catch (err) {
    fail(errorMessage(err));
    return 1;
  }
  const { config, problems, sources } = resolveConfig(file, process.env, fileName);
  for (const p of problems) fail(p);

  out('\nSettings (source):');
  for (const spec of OPTIONS) {
    const value = (config as unknown as Record<string, unknown>)[spec.key];
    const shown = value === undefined ? '—' : spec.secret && typeof value === 'string' ? `••••••••${value.slice(-4)}` : show(value);
    out(`  ${spec.key.padEnd(24)} ${shown}  (${sources[spec.key]}${spec.env ? `, ${spec.env}` : ''})`);
  }
  if (!config.apiKey) fail('no apiKey: set README_API_KEY or apiKey in the config file');
  checkDefinition(config.openapi, args.path, out, fail);
  if (config.getUserByEmail) out(`• webhook: POST ${config.webhookPath} answered by getUserByEmail, ${webhookSecretSource(config)}`);

  const sample = await sampleExchange(args, config);
  out(`\nSample request: GET ${args.path} with ${args.headers.length ? args.headers.map(([n]) => n).join(', ') : 'no extra headers'}`);
  let caller: Caller | null;
  if (sample.error) {
    fail(`groupingFunction threw: ${sample.error}`);
    caller = null;
  } else {
    caller = sample.caller;
    if (caller === null) out('• groupingFunction returned null: this request would not be logged');
    else out(`✔ caller: ${JSON.stringify({ ...caller, apiKey: `…${caller.apiKey.slice(-4)}` })}`);
  }

  if (args.send && config.apiKey) {
    const client = new MetricsClient(config.metricsServer, config.apiKey, config.timeout * 1000);
    try {
      const log = await buildLog(sample.raw, caller ?? { apiKey: 'readme-metrics-check', label: 'readme-metrics check' }, { ...config, development: true });
      createRedactor(config)(log);
      const res = await client.send(await client.encode(Buffer.from(JSON.stringify([log])), config.compression === 'gzip'));
      if (res.status >= 200 && res.status < 300) out(`✔ test log sent to ${config.metricsServer}: HTTP ${res.status}`);
      else fail(`${config.metricsServer} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    } catch (err) {
      fail(`could not reach ${config.metricsServer}: ${errorMessage(err)}`);
    } finally {
      await client.close();
    }
  }
  out(failures ? `\n${failures} problem(s) found.` : '\nAll good.');
  return failures ? 1 : 0;
}

/** Where the webhook's signing secret will come from: unset, the webhook's calls are the app's. */
function webhookSecretSource(config: Readonly<Config>): string {
  if (config.webhookSecret) return 'signed with webhookSecret';
  if (config.apiKey) return `signed with the project's secret, looked up at ${config.readmeApiUrl} with apiKey at the first call (or set README_WEBHOOK_SECRET)`;
  return 'but no secret to check signatures: set README_WEBHOOK_SECRET (calls go to the app until then)';
}

/** The OpenAPI definition the SDK would use, and the template it gives the sample request's path. */
function checkDefinition(configured: string | undefined, path: string, out: (line: string) => void, fail: (msg: string) => void): void {
  const found = locateDefinition(configured);
  if (!found) return out('• no OpenAPI definition (endpoints without a framework route are logged by their full URL)');
  try {
    const matcher = new OperationMatcher(readDefinition(found.file));
    out(`✔ OpenAPI definition: ${found.file} (${matcher.definition.operations.length} operations)`);
    const template = matcher.find('GET', path)?.template;
    out(`  GET ${path} → ${template ?? 'not documented (logged by its full URL)'}`);
  } catch (err) {
    fail(`could not use the OpenAPI definition ${found.file}: ${errorMessage(err)}`);
  }
}

function show(v: unknown): string {
  if (typeof v === 'function') return '[function]';
  if (Array.isArray(v)) return v.map(String).join(', ') || '(empty)';
  return String(v);
}

/** A real request through a real server, so the grouping function sees genuine req/res objects. */
async function sampleExchange(args: CheckArgs, config: Readonly<Config>): Promise<{ caller: Caller | null; error: string | undefined; raw: RawCapture }> {
  let caller = null as Caller | null;
  let error: string | undefined;
  let rawHeaders: string[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    rawHeaders = req.rawHeaders.slice();
    try {
      caller = config.groupingFunction ? normalizeGroup(await config.groupingFunction(req, res)) : findCaller(req.rawHeaders, req.url ?? '/');
    } catch (err) {
      error = errorMessage(err);
    }
    res.end('{"check":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: args.path, headers: Object.fromEntries(args.headers) }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
  await new Promise<void>((r) => server.close(() => r()));
  const body = Buffer.from('{"check":true}');
  return {
    caller,
    error,
    raw: {
      id: randomUUID(),
      startedDateTime: Date.now(),
      durationMs: 1,
      method: 'GET',
      url: args.path,
      httpVersion: '1.1',
      requestHeaders: rawHeaders,
      remoteAddress: '127.0.0.1',
      encrypted: false,
      requestBody: null,
      requestBodySize: 0,
      requestBodyTruncated: false,
      requestBodyIncomplete: false,
      statusCode: 200,
      statusMessage: 'OK',
      responseHeaderBlock: null,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: new Uint8Array(body),
      responseBodySize: body.length,
      responseBodyTruncated: false,
      aborted: false,
      route: undefined,
      group: undefined,
    },
  };
}
