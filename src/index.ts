import { currentAgent } from './agent';
import type { Stats } from './transport/settings';
import { emptyStats } from './transport/settings';
import type { ConfigFileExport, GroupingFunction, Options } from './types';

export type { ConfigFileExport, GetUserByEmail, Group, GroupingFunction, GroupingResult, Options, WebhookApiKey, WebhookUser } from './types';
export type { Stats } from './transport/settings';
export { verifyWebhook, WebhookVerificationError } from './webhook/verify';
export type { WebhookErrorCode } from './webhook/verify';
export { DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS, DEFAULT_DENYLIST_FIELDS, DEFAULT_DENYLIST_SUFFIXES } from './redact/defaults';
/**
 * For hand-rolled routers: tells the log which route template served this request
 * (`setRoute(req, '/users/:id')`), shown as the endpoint in `pageref`. Frameworks need none of this.
 */
export { setRoute } from './capture/routes/set-route';

/** Typed identity for `readme-metrics.config.ts`: `export default defineConfig({...})`. */
export function defineConfig<T extends Options | GroupingFunction>(config: T): T & ConfigFileExport {
  return config;
}

/** Sends everything captured so far; resolves with the counters when done or at the deadline. */
export function flush(timeoutMs?: number): Promise<Stats> {
  return currentAgent()?.flush(timeoutMs) ?? Promise.resolve(emptyStats());
}

/** flush(), then stop logging and release the worker. */
export function shutdown(timeoutMs?: number): Promise<Stats> {
  return currentAgent()?.shutdown(timeoutMs) ?? Promise.resolve(emptyStats());
}

/** Counters: queued, sent, dropped, failed, skipped, pending. */
export function getStats(): Stats {
  return currentAgent()?.stats() ?? emptyStats();
}
