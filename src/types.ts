import type { IncomingMessage, ServerResponse } from 'node:http';

/** Who made a request, as the grouping function returns it. `api_key` is accepted for Python parity. */
export interface Group {
  apiKey?: string;
  api_key?: string;
  label?: string;
  email?: string;
  [extra: string]: unknown;
}

export type GroupingResult = Group | null | undefined;

/** Identifies the caller; null or undefined means "do not log this request". May be async. */
export type GroupingFunction = (
  req: IncomingMessage,
  res: ServerResponse,
) => GroupingResult | Promise<GroupingResult>;

/** One of a developer's API keys as ReadMe's docs show it; other fields (OAS security variables) are passed on as they are. */
export interface WebhookApiKey {
  apiKey?: string | { user: string; pass: string };
  id?: string;
  name?: string;
  label?: string;
  [extra: string]: unknown;
}

/** What ReadMe's Personalized Docs webhook answers for a developer: sent to ReadMe exactly as returned. */
export interface WebhookUser {
  email: string;
  name: string;
  keys: WebhookApiKey[];
  [extra: string]: unknown;
}

/** Finds the developer behind an email; null or undefined: unknown (ReadMe is answered 400). May be async. */
export type GetUserByEmail = (email: string) => WebhookUser | null | undefined | void | Promise<WebhookUser | null | undefined | void>;

/** What a user may put in `readme-metrics.config.ts`. Every key also has an environment variable. */
export interface Options {
  apiKey?: string;
  groupingFunction?: GroupingFunction;
  bufferLength?: number;
  development?: boolean;
  backgroundWorkerMode?: boolean;
  denylist?: string[];
  allowlist?: string[];
  /** @deprecated use denylist */
  blacklist?: string[];
  /** @deprecated use allowlist */
  whitelist?: string[];
  allowedHttpHosts?: string[];
  /** Seconds per call to the Metrics API. */
  timeout?: number;
  baseLogUrl?: string;
  metricsServer?: string;
  readmeApiUrl?: string;
  /** Bytes kept per request or response body; the real size is still recorded. */
  maxBodySize?: number;
  /** Milliseconds after which a partial batch is sent anyway. */
  flushInterval?: number;
  /** Requests whose path matches are not logged: exact strings, globs (`/health*`) or RegExps. */
  ignorePaths?: Array<string | RegExp>;
  /** Methods that are never logged; OPTIONS by default, as ReadMe does. */
  ignoreMethods?: string[];
  /** Fraction of requests logged, 0..1. */
  sampleRate?: number;
  /** Add `x-documentation-url` to responses. */
  documentationUrlHeader?: boolean;
  /** Use the default denylist of obvious secrets (cookie, password, token...). */
  defaultDenylist?: boolean;
  /** Trust `x-forwarded-for` for the client IP. */
  trustProxy?: boolean;
  /** Bounds of the queue of logs waiting to be sent. */
  maxQueueEntries?: number;
  maxQueueBytes?: number;
  /** Milliseconds a flush on SIGTERM/SIGINT or beforeExit may take before the process goes on exiting. */
  shutdownTimeout?: number;
  /** Body encoding of calls to the Metrics API; gzip falls back to none by itself when refused. */
  compression?: 'gzip' | 'none';
  /** Milliseconds a grouping function may take before the request is counted as skipped. */
  groupingTimeout?: number;
  /** Redact values that have the shape of a secret (JWT, PEM key, cloud and SaaS tokens, card numbers). */
  secretScan?: boolean;
  /** Answers ReadMe's Personalized Docs webhook on the app's own servers; defining it turns the webhook on. */
  getUserByEmail?: GetUserByEmail;
  /** Where the webhook is answered (POST). */
  webhookPath?: string;
  /** The project's webhook secret; looked up with `GET {readmeApiUrl}/v1/` (its `jwtSecret`) when unset. */
  webhookSecret?: string;
  /** OpenAPI 3.x / Swagger 2 file (JSON or YAML) whose path templates name endpoints; default: openapi.json, openapi.yaml, openapi.yml or swagger.json in the working directory. */
  openapi?: string;
  /** Turn the SDK off without removing the preload. */
  enabled?: boolean;
}

export type ConfigFileExport = Options | GroupingFunction;
