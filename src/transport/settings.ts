import type { Config } from '../config/resolve';

/** The part of the config the pipeline needs: plain data, so it can cross into the worker. */
export interface PipelineSettings {
  apiKey: string | undefined;
  bufferLength: number;
  development: boolean;
  denylist: readonly string[] | undefined;
  allowlist: readonly string[] | undefined;
  defaultDenylist: boolean;
  timeout: number;
  metricsServer: string;
  readmeApiUrl: string;
  baseLogUrl: string | undefined;
  documentationUrlHeader: boolean;
  maxBodySize: number;
  flushInterval: number;
  trustProxy: boolean;
  maxQueueEntries: number;
  maxQueueBytes: number;
  compression: 'gzip' | 'none';
  secretScan: boolean;
  /** OpenAPI definition file as configured; unset: openapi.json & co. in the working directory. */
  openapi: string | undefined;
}

export function pipelineSettings(c: Readonly<Config>): PipelineSettings {
  return {
    apiKey: c.apiKey,
    bufferLength: c.bufferLength,
    development: c.development,
    denylist: c.denylist,
    allowlist: c.allowlist,
    defaultDenylist: c.defaultDenylist,
    timeout: c.timeout,
    metricsServer: c.metricsServer,
    readmeApiUrl: c.readmeApiUrl,
    baseLogUrl: c.baseLogUrl,
    documentationUrlHeader: c.documentationUrlHeader,
    maxBodySize: c.maxBodySize,
    flushInterval: c.flushInterval,
    trustProxy: c.trustProxy,
    maxQueueEntries: c.maxQueueEntries,
    maxQueueBytes: c.maxQueueBytes,
    compression: c.compression,
    secretScan: c.secretScan,
    openapi: c.openapi,
  };
}

export interface Stats {
  /** Logs built and queued. */
  queued: number;
  /** Logs the Metrics API accepted. */
  sent: number;
  /** Logs dropped because the queue was full or sending was paused. */
  dropped: number;
  /** Logs in batches the Metrics API refused or that could not be delivered. */
  failed: number;
  /** Requests not logged: grouping returned null, filters, or our own errors. */
  skipped: number;
  /** Logs waiting in the queue now. */
  pending: number;
  /**
   * Logs queued (and sent) without their bodies, a comment in their place: built while the queue was
   * past half its bounds, or refused by the Metrics API as too large with them. Part of queued.
   */
  shed: number;
}

export function emptyStats(): Stats {
  return { queued: 0, sent: 0, dropped: 0, failed: 0, skipped: 0, pending: 0, shed: 0 };
}
