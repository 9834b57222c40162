import type { IncomingMessage, ServerResponse } from 'node:http';
import { addDocumentationUrl, validBase } from './capture/documentation-header';
import type { Exchange } from './capture/exchange';
import { newLogId } from './capture/log-id';
import { captureState, installCapture } from './capture/observe';
import type { RawCapture } from './capture/raw-capture';
import { findConfigFile, loadConfigFile } from './config/load-file';
import { DEFAULT_METRICS_SERVER } from './config/options';
import { resolveConfig, type Config } from './config/resolve';
import { debug, errorMessage, warnOnce } from './debug';
import { shouldLog } from './filters';
import { normalizeGroup } from './group/normalize';
import { readCachedBaseUrl } from './transport/base-url';
import { pipelineSettings, type Stats, emptyStats } from './transport/settings';
import { createSink, type Sink } from './transport/sink';
import type { Options } from './types';
import { basename } from 'node:path';

const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;

/**
 * Wires the data path together: capture hooks on the app's thread, the config, the grouping function,
 * and the sink that carries captures to the pipeline. One per process.
 */
export class Agent {
  config: Readonly<Config> | null = null;
  /** False once we know we must not log (disabled, no API key, broken config file). */
  active = true;
  readonly ready: Promise<void>;
  private baseLogUrl: string | undefined;
  private sink: Sink | null = null;
  private signalHandlers = false;
  private groupings = new Set<Promise<unknown>>();
  private dirty = false;
  private skipped = 0;
  private readonly maxBodyFromEnv: number;

  constructor(fileOverride?: Options) {
    this.maxBodyFromEnv = resolveConfig(undefined).config.maxBodySize;
    this.ready = this.load(fileOverride).catch((err) => {
      this.active = false;
      warnOnce('config', `${errorMessage(err)}; instrumentation is off, the app runs as usual`);
    });
  }

  start(mode: 'auto' | 'emit' = 'auto'): void {
    const how = installCapture(
      {
        begin: (req, res) => this.begin(req, res),
        complete: (ex) => this.complete(ex),
        fail: (where, err) => warnOnce(`internal-${where}`, `internal error at ${where} (${errorMessage(err)}); the request was not logged, the app is unaffected`),
        maxBodySize: () => this.config?.maxBodySize ?? this.maxBodyFromEnv,
        listening: () => this.startLookupEarly(),
      },
      mode,
    );
    debug(`observing HTTP servers through ${how === 'channel' ? 'diagnostics_channel' : 'Server.prototype.emit'}`);
    process.on('beforeExit', () => {
      if (!this.dirty) return;
      this.dirty = false;
      void this.flush(this.config?.shutdownTimeout);
    });
  }

  /**
   * On SIGTERM/SIGINT: deliver what was captured, within shutdownTimeout. When nobody else handles the
   * signal we then re-raise it, so the process ends exactly as it would have without us; when the app
   * has its own handler, exiting stays its decision. Installed only once something was captured, so a
   * process that never serves a request (npm under NODE_OPTIONS, a build script) keeps its defaults.
   */
  private installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const onSignal = (): void => {
        const appHandlesIt = process.listenerCount(signal) > 1;
        const deadline = Date.now() + (this.config?.shutdownTimeout ?? DEFAULT_FLUSH_TIMEOUT_MS);
        debug(`${signal}: flushing before exit`);
        const drained = appHandlesIt ? Promise.resolve() : this.stopServing(deadline);
        void drained
          .then(() => this.flushUntilQuiet(deadline))
          .finally(() => {
            if (appHandlesIt) return;
            process.removeListener(signal, onSignal);
            process.kill(process.pid, signal);
          });
      };
      // First in line: a listener the app added with once() is removed before later listeners run,
      // so counting from anywhere else would miss it and we would kill an app mid-shutdown.
      process.prependListener(signal, onSignal);
    }
  }

  /**
   * Without us the process would already be gone, so it must not take on new work while we flush:
   * servers stop accepting, idle keep-alive sockets close, and the requests already in flight may
   * finish (and be logged) until the deadline.
   */
  private async stopServing(deadline: number): Promise<void> {
    for (const server of captureState().servers) {
      try {
        server.close();
        server.closeIdleConnections?.();
      } catch {}
    }
    while (captureState().inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /** Flushes again while requests keep completing, until quiet or the deadline. */
  private async flushUntilQuiet(deadline: number): Promise<void> {
    do {
      this.dirty = false;
      await this.flush(Math.max(1, deadline - Date.now())).catch(() => {});
    } while (this.dirty && Date.now() < deadline);
  }

  private async load(fileOverride?: Options): Promise<void> {
    let file = fileOverride;
    let fileName = 'readme-metrics.config';
    if (!file) {
      const path = findConfigFile();
      if (path) {
        fileName = basename(path);
        file = await loadConfigFile(path);
        debug(`loaded ${path}`);
      }
    }
    const { config, problems } = resolveConfig(file, process.env, fileName);
    for (const p of problems) warnOnce(`config:${p}`, p);
    this.config = config;
    if (!config.enabled) {
      this.active = false;
      debug('disabled by README_METRICS_ENABLED/enabled');
      return;
    }
    if (!config.apiKey && config.metricsServer === DEFAULT_METRICS_SERVER) {
      this.active = false;
      warnOnce('no-key', 'no README_API_KEY (or apiKey in the config file): nothing will be sent');
      return;
    }
    this.useBaseLogUrl(config.baseLogUrl);
    // Only without the setting, as the pipeline's lookup: a setting left out as unusable is not replaced.
    if (!config.baseLogUrl && config.apiKey && config.documentationUrlHeader) {
      this.useBaseLogUrl(readCachedBaseUrl(config.apiKey, config.readmeApiUrl));
    }
  }

  /** The base of x-documentation-url. One a header cannot carry is left out, not sent broken. */
  private useBaseLogUrl(url: string | undefined): void {
    if (url !== undefined && !validBase(url)) {
      warnOnce('base-log-url', `the documentation base URL ${JSON.stringify(url)} cannot be sent in a header; x-documentation-url is left out`);
      url = undefined;
    }
    this.baseLogUrl = url;
  }

  private begin(req: IncomingMessage, res: ServerResponse): string | undefined {
    if (!this.active) return undefined;
    const c = this.config;
    if (c && !shouldLog(req, c)) return undefined;
    const id = newLogId();
    if (c?.documentationUrlHeader && this.baseLogUrl && !res.headersSent) {
      addDocumentationUrl(res, `${this.baseLogUrl}/logs/${id}`);
    }
    return id;
  }

  private complete(exchange: Exchange): void {
    const raw = exchange.toRawCapture();
    if (this.config) return this.identify(raw, exchange);
    // The config file is still loading: finish this one once it has.
    void this.ready.then(() => {
      if (this.active && this.config && shouldLog(exchange.req, this.config)) this.identify(raw, exchange);
    });
  }

  private identify(raw: RawCapture, exchange: Exchange): void {
    if (!this.active) return;
    const fn = this.config?.groupingFunction;
    if (!fn) return this.submit(raw);
    let result: unknown;
    try {
      result = fn(exchange.req, exchange.res);
    } catch (err) {
      return this.groupingFailed(err);
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      const p: Promise<unknown> = (result as Promise<unknown>)
        .then((value) => this.accept(raw, value), (err) => this.groupingFailed(err))
        .finally(() => this.groupings.delete(p));
      this.groupings.add(p);
    } else {
      this.accept(raw, result);
    }
  }

  private accept(raw: RawCapture, value: unknown): void {
    try {
      const caller = normalizeGroup(value);
      if (!caller) {
        this.skipped++;
        debug(`${raw.method} ${raw.url} not logged: groupingFunction returned null`);
        return;
      }
      raw.group = caller;
      this.submit(raw);
    } catch (err) {
      this.groupingFailed(err);
    }
  }

  private groupingFailed(err: unknown): void {
    this.skipped++;
    warnOnce('grouping', `groupingFunction threw (${errorMessage(err)}); those requests are not logged (shown once)`);
  }

  private submit(raw: RawCapture): void {
    this.dirty = true;
    this.ensureSink().submit(raw);
  }

  private ensureSink(): Sink {
    const sink = this.startSink();
    if (!this.signalHandlers) {
      this.signalHandlers = true;
      this.installSignalHandlers();
    }
    return sink;
  }

  private startSink(): Sink {
    if (!this.sink) {
      const c = this.config!;
      this.sink = createSink(pipelineSettings(c), { onBaseUrl: (url) => this.useBaseLogUrl(url) }, c.backgroundWorkerMode);
    }
    return this.sink;
  }

  /**
   * The first server listens: when x-documentation-url still needs its base looked up, the pipeline
   * (which looks it up) starts now rather than with the first log, so the header is there from the
   * first responses on. Only then: a process that never listens, or already knows the base, pays nothing.
   */
  private startLookupEarly(): void {
    void this.ready.then(() => {
      const c = this.config;
      if (!this.active || !c || this.sink || this.baseLogUrl || c.baseLogUrl || !c.apiKey || !c.documentationUrlHeader) return;
      debug('a server is listening: starting the pipeline for the documentation base URL lookup');
      this.startSink();
    });
  }

  async flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<Stats> {
    await this.ready;
    while (this.groupings.size > 0) await Promise.all([...this.groupings]);
    return this.sink ? this.withOwnCounts(await this.sink.flush(timeoutMs)) : this.stats();
  }

  async shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<Stats> {
    const stats = await this.flush(timeoutMs);
    this.active = false;
    await this.sink?.close();
    this.sink = null;
    return stats;
  }

  stats(): Stats {
    return this.withOwnCounts(this.sink ? this.sink.stats() : emptyStats());
  }

  /** The pipeline counts what it built; requests skipped before it (grouping) are counted here. */
  private withOwnCounts(stats: Stats): Stats {
    return { ...stats, skipped: stats.skipped + this.skipped };
  }
}

const AGENT = Symbol.for('readme-metrics.agent');
type WithAgent = typeof globalThis & { [AGENT]?: Agent };

export function currentAgent(): Agent | undefined {
  return (globalThis as WithAgent)[AGENT];
}

/** One agent per process, shared by the CommonJS and ESM entry points. */
export function startAgent(mode: 'auto' | 'emit' = 'auto'): Agent {
  const g = globalThis as WithAgent;
  if (g[AGENT]) return g[AGENT];
  const agent = new Agent();
  g[AGENT] = agent;
  agent.start(mode);
  return agent;
}
