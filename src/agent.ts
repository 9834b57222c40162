import type { IncomingMessage, ServerResponse } from 'node:http';
import { addDocumentationUrl, validBase } from './capture/documentation-header';
import type { Exchange } from './capture/exchange';
import { newLogId } from './capture/log-id';
import { completeEndedExchanges, installCapture } from './capture/observe';
import type { RawCapture } from './capture/raw-capture';
import { findConfigFile, loadConfigFile } from './config/load-file';
import { DEFAULT_METRICS_SERVER } from './config/options';
import { resolveConfig, type Config } from './config/resolve';
import { debug, errorMessage, warnOnce } from './debug';
import { shouldLog } from './filters';
import { normalizeGroup } from './group/normalize';
import { PendingGroupings } from './group/pending';
import { readCachedBaseUrl } from './transport/base-url';
import { DropCounter, dropTotal, readDropTotal, readShedTotal } from './transport/drops';
import { pipelineSettings, type Stats, emptyStats } from './transport/settings';
import { createSink, type ProcessSink, type Sink } from './transport/sink';
import { listenForThreads, ThreadSink, threadsFailed, type ToMain } from './transport/threads';
import type { Options } from './types';
import { holdEarlyWebhooksIfConfigFile, installWebhook } from './webhook/intercept';
import { handledByWebhook, type WebhookRoutes } from './webhook/routes';
import { basename } from 'node:path';
import { onProcessExit } from './lifecycle/exit';
import { installSignalHandlers } from './lifecycle/signals';
import { stopServing } from './lifecycle/stop-serving';

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
  /** The process's totals of dropped and shed logs, shared with the sink (and its worker). */
  private readonly losses = dropTotal(true);
  private readonly groupingsFull = new DropCounter('too many requests wait for the grouping function', this.losses);
  private readonly groupingsAtExit = new DropCounter('groupingFunction had not answered when the process exited', this.losses);
  private readonly groupings = new PendingGroupings(
    () => ({ timeoutMs: this.config?.groupingTimeout ?? 1000, maxEntries: this.config?.maxQueueEntries ?? 0, maxBytes: this.config?.maxQueueBytes ?? 0 }),
    (n) => this.groupingExpired(n),
  );
  private dirty = false;
  private skipped = 0;
  private closedStats: Stats | null = null;
  private exitHandlersInstalled = false;
  private readonly maxBodyFromEnv: number;
  /** Set when the config defines getUserByEmail: the requests it answers are not the app's, so not logged. */
  private webhook: WebhookRoutes | undefined;
  /** On the main thread: hears of the app's worker threads that serve HTTP (see transport/threads.ts). */
  private threads: { serving: Int32Array; stop(): void } | null = null;

  /** role: 'thread' in an app's worker thread, which hands its captures to the main thread's agent. */
  constructor(
    fileOverride?: Options,
    private readonly role: 'main' | 'thread' = 'main',
  ) {
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
    // After the capture's own wrap, so a webhook call held or answered here never reaches it.
    if (!this.config) holdEarlyWebhooksIfConfigFile(this.ready);
    if (this.role === 'main') this.threads = listenForThreads((msg) => this.fromThread(msg));
    else {
      // Now, not at the first request: a thread that ends must say so, or the main thread's exit waits for it.
      this.ensureThreadSink();
      this.installExitHandlers();
    }
    process.on('beforeExit', () => {
      if (!this.dirty) return;
      this.dirty = false;
      void this.flush(this.config?.shutdownTimeout);
    });
  }

  /**
   * How the process ends stays the app's (see lifecycle/): on a signal nobody else handles we deliver
   * and re-raise it; on 'exit', however it comes, the last captures go out before the process is gone.
   * Installed only once a request is observed, so a process that never serves one (npm under
   * NODE_OPTIONS, a build script) keeps its defaults.
   */
  private installExitHandlers(): void {
    this.exitHandlersInstalled = true;
    const timeout = (): number => this.config?.shutdownTimeout ?? DEFAULT_FLUSH_TIMEOUT_MS;
    // A worker thread gets no signals; at its exit it hands what it holds to the pipeline (ThreadSink).
    if (this.role === 'main') {
      installSignalHandlers(async () => {
        const deadline = Date.now() + timeout();
        await stopServing(deadline);
        await this.flushUntilQuiet(deadline);
        // The signal is raised again next: no 'exit' event.
        this.countUnidentified();
      });
    }
    onProcessExit(() => {
      completeEndedExchanges();
      this.countUnidentified();
      this.sink?.flushBeforeExit(timeout());
    });
  }

  /**
   * As the process ends, when no promise can settle any more: the requests an async groupingFunction has
   * not identified cannot be logged (who called decides whether and how), so they are counted and said.
   */
  private countUnidentified(): void {
    const waiting = this.groupings.abandon();
    if (waiting > 0) this.groupingsAtExit.drop(waiting);
  }

  /** Flushes again while requests keep completing, until quiet or the deadline. */
  private async flushUntilQuiet(deadline: number): Promise<void> {
    do {
      this.dirty = false;
      await this.flush(Math.max(1, deadline - Date.now()), true).catch(() => {});
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
    // Before the API-key check: with README_WEBHOOK_SECRET the webhook works without sending logs.
    if (config.getUserByEmail) this.webhook = installWebhook({ ...config, getUserByEmail: config.getUserByEmail, metrics: () => ({ sending: this.active, stats: this.stats() }) });
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
    if (this.webhook?.claims(req)) return undefined;
    const id = newLogId();
    // From the first request on, not its capture: a signal between a response and its capture would
    // otherwise still find Node's default in place, and that log would be lost.
    if (!this.exitHandlersInstalled) this.installExitHandlers();
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
    // A webhook call that arrived before the config file had loaded was seen as the app's; it was not.
    if (!this.active || handledByWebhook(exchange.req)) return;
    const fn = this.config?.groupingFunction;
    if (!fn) return this.submit(raw);
    let result: unknown;
    try {
      result = fn(exchange.req, exchange.res);
    } catch (err) {
      return this.groupingFailed(err);
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      if (!this.groupings.hasRoomFor(raw)) return this.groupingsFull.drop(1);
      try {
        this.groupings.wait(raw, result as PromiseLike<unknown>, (r, value) => this.accept(r, value), (err) => this.groupingFailed(err));
      } catch (err) {
        this.groupingFailed(err);
      }
    } else {
      this.accept(raw, result);
    }
  }

  private groupingExpired(n: number): void {
    this.skipped += n;
    const ms = this.config?.groupingTimeout ?? 1000;
    warnOnce('grouping-timeout', `groupingFunction did not answer within ${ms} ms (groupingTimeout); those requests are not logged (shown once)`);
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
    if (this.role === 'thread') return this.ensureThreadSink();
    if (!this.sink) {
      const c = this.config!;
      this.sink = createSink(pipelineSettings(c), { onBaseUrl: (url) => this.useBaseLogUrl(url) }, c.backgroundWorkerMode, this.losses, this.threads?.serving);
    }
    return this.sink;
  }

  private ensureThreadSink(): Sink {
    this.sink ??= new ThreadSink({ onBaseUrl: (url) => this.useBaseLogUrl(url) }, this.losses, completeEndedExchanges);
    return this.sink;
  }

  /**
   * On the main thread: one of the app's worker threads serves HTTP, or hands over captures before the
   * pipeline has welcomed it. The pipeline starts now if it has not (and then welcomes the threads), and the
   * process's exit and signals deliver their captures as they deliver this thread's.
   */
  private fromThread(msg: ToMain): void {
    if (msg.type === 'bye') return;
    const take = (): void => {
      if (!this.active || !this.config) return;
      try {
        if (!this.exitHandlersInstalled) this.installExitHandlers();
        this.dirty = true;
        const sink = this.ensureSink() as ProcessSink;
        if (msg.type === 'captures') sink.submitPacked(msg.batch, msg.bytes, msg.from);
      } catch (err) {
        threadsFailed(err);
      }
    };
    if (this.config) take();
    else void this.ready.then(take);
  }

  /**
   * The first server listens: when x-documentation-url still needs its base looked up, the pipeline
   * (which looks it up) starts now rather than with the first log, so the header is there from the
   * first responses on. Only then: a process that never listens, or already knows the base, pays nothing.
   */
  private startLookupEarly(): void {
    if (this.role === 'thread') return;
    void this.ready.then(() => {
      const c = this.config;
      if (!this.active || !c || this.sink || this.baseLogUrl || c.baseLogUrl || !c.apiKey || !c.documentationUrlHeader) return;
      debug('a server is listening: starting the pipeline for the documentation base URL lookup');
      this.ensureSink();
    });
  }

  /** Resolves by its deadline whatever waits: the config file, grouping functions, the Metrics API. */
  /** `final`: the process is ending (a signal we handle), so the Metrics API gets no back-off. */
  async flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS, final = false): Promise<Stats> {
    const deadline = Date.now() + timeoutMs;
    if (!(await beforeDeadline(this.ready, deadline))) return this.stats();
    await this.groupings.settled(deadline);
    return this.sink ? this.withOwnCounts(await this.sink.flush(Math.max(1, deadline - Date.now()), final)) : this.stats();
  }

  async shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<Stats> {
    const stats = await this.flush(timeoutMs);
    this.active = false;
    this.threads?.stop();
    if (this.sink) this.closedStats = this.sink.stats();
    await this.sink?.close();
    this.sink = null;
    return stats;
  }

  /** Counters since the process started: the sink's, or what they were when shutdown() released it. */
  stats(): Stats {
    return this.withOwnCounts(this.sink ? this.sink.stats() : (this.closedStats ?? emptyStats()));
  }

  /** The pipeline counts what it built; requests skipped before it (grouping) are counted here. */
  private withOwnCounts(stats: Stats): Stats {
    return { ...stats, skipped: stats.skipped + this.skipped, dropped: readDropTotal(this.losses), shed: readShedTotal(this.losses) };
  }
}

/** Whether `p` settled before `deadline`; never rejects. */
async function beforeDeadline(p: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), false)));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

const AGENT = Symbol.for('readme-metrics.agent');
type WithAgent = typeof globalThis & { [AGENT]?: Agent };

export function currentAgent(): Agent | undefined {
  return (globalThis as WithAgent)[AGENT];
}

/** One agent per process, shared by the CommonJS and ESM entry points. */
export function startAgent(mode: 'auto' | 'emit' = 'auto', role: 'main' | 'thread' = 'main'): Agent {
  const g = globalThis as WithAgent;
  if (g[AGENT]) return g[AGENT];
  const agent = new Agent(undefined, role);
  g[AGENT] = agent;
  agent.start(mode);
  return agent;
}
