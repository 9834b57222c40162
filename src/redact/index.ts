import type { HarContent, HarEntry, MetricsLog, NameValue, PostData, PostDataParam } from '../har/types';
import { censor } from './censor';
import { redactJsonText } from './json';
import { redactMultipartText } from './multipart';
import { Policy, type RedactOptions } from './policy';
import { redactQuery, redactUrl } from './query';
import { redactLogSecrets } from './secrets-log';

export { DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS } from './defaults';
export type { RedactOptions } from './policy';

/** The redactor's options: the key rules, and whether secrets are also found by their shape (default on). */
export type RedactorOptions = RedactOptions & { secretScan?: boolean };

/**
 * The key rules, then secretScan (src/redact/secrets*.ts) over what they left: a value the rules kept can
 * still hold a token under a key nobody listed. `secretScan: false` turns that second pass off.
 */
export function createRedactor(opts: RedactorOptions): (log: MetricsLog) => void {
  const keys = createKeyRedactor(opts);
  if (opts.secretScan === false) return keys;
  return (log) => {
    keys(log);
    redactLogSecrets(log);
  };
}

/** Headers whose value is a URL: a secret in their query is as much a leak as one in request.url. */
const URL_HEADERS = new Set(['referer', 'location', 'content-location']);

const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

function essenceOf(mimeType: string): string {
  const semi = mimeType.indexOf(';');
  return (semi === -1 ? mimeType : mimeType.slice(0, semi)).trim().toLowerCase();
}

/** A body sent without a content type is still checked when it is plainly JSON. */
function looksLikeJson(text: string): boolean {
  const first = text.trimStart().charCodeAt(0);
  return first === 123 || first === 91;
}

/**
 * Builds the redactor once per pipeline (rules compiled here, nothing is compiled per log).
 * The returned function redacts a built log in place, request and response alike: headers, cookies,
 * the query in queryString, request.url, pageref and URL-valued headers, form and multipart fields,
 * and JSON bodies. Redacted values keep their key and become "[REDACTED <length>]" / "[REDACTED]".
 */
function createKeyRedactor(opts: RedactOptions): (log: MetricsLog) => void {
  const policy = new Policy(opts);
  if (!policy.active) return () => {};
  const field = (name: string): boolean => policy.flatRedacted(name, false);
  const header = (name: string): boolean => policy.flatRedacted(name, true);

  const headers = (list: NameValue[]): void => {
    for (const h of list) {
      if (header(h.name)) h.value = censor(h.value);
      else if (URL_HEADERS.has(h.name.toLowerCase())) h.value = redactUrl(h.value, field);
    }
  };

  const pairs = (list: NameValue[] | PostDataParam[]): void => {
    for (const p of list) if (p.value !== undefined && field(p.name)) p.value = censor(p.value);
  };

  /** HAR cookies mirror the Cookie / Set-Cookie headers: redacted whenever those are. */
  const cookies = (list: NameValue[], headerName: string): void => {
    if (list.length === 0) return;
    const all = header(headerName);
    for (const c of list) if (all || field(c.name)) c.value = censor(c.value);
  };

  const text = (body: string, mimeType: string): string | undefined => {
    if (body === '') return undefined;
    const essence = essenceOf(mimeType);
    // Only JSON escapes letters in one way the quick test knows (\u); form and multipart names have more.
    if (essence.includes('json') || (essence === '' && looksLikeJson(body))) return policy.mayRedactJson(body) ? redactJsonText(body, policy) : undefined;
    if (essence === FORM) return redactQuery(body, field);
    if (essence === MULTIPART) return redactMultipartText(body, mimeType, field);
    return undefined;
  };

  const postData = (pd: PostData): void => {
    if (pd.params) pairs(pd.params);
    if (pd.text === undefined || pd.encoding === 'base64') return;
    const redacted = text(pd.text, pd.mimeType);
    if (redacted !== undefined) pd.text = redacted;
  };

  const content = (c: HarContent): void => {
    if (c.encoding === 'base64') return;
    const redacted = text(c.text, c.mimeType);
    if (redacted !== undefined) c.text = redacted;
  };

  const entry = (e: HarEntry): void => {
    const { request: req, response: res } = e;
    headers(req.headers);
    headers(res.headers);
    pairs(req.queryString);
    req.url = redactUrl(req.url, field);
    e.pageref = redactUrl(e.pageref, field);
    if (res.redirectURL) res.redirectURL = redactUrl(res.redirectURL, field);
    cookies(req.cookies, 'cookie');
    cookies(res.cookies, 'set-cookie');
    if (req.postData) postData(req.postData);
    content(res.content);
  };

  return (log) => {
    for (const e of log.request.log.entries) entry(e);
  };
}
