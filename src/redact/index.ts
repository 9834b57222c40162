import { isCredentialHeader, KEY_PARAMS } from '../group/finder';
import { mask } from '../har/mask';
import type { HarContent, HarCookie, HarEntry, MetricsLog, NameValue, PostData, PostDataParam } from '../har/types';
import { censor } from './censor';
import { cacheKey } from './memo';
import { redactCookieHeader, redactSetCookieHeader } from './cookies';
import { redactJsonText } from './json';
import { redactMultipartText } from './multipart';
import { Policy, type RedactOptions } from './policy';
import { censoring, redactQuery, redactUrl, redactUrlHeader, type ValueRule } from './query';
import { redactLogSecrets } from './secrets-log';

export { DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS, DEFAULT_DENYLIST_FIELDS, DEFAULT_DENYLIST_SUFFIXES } from './defaults';
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

/** Headers whose value is a URL (or holds some): a secret in their query is as much a leak as one in request.url. */
const URL_HEADERS = new Set(['referer', 'location', 'content-location', 'link', 'refresh']);

// What a header's value becomes (createKeyRedactor's headerAction).
const KEEP_VALUE = 0;
const CENSOR = 1;
const MASK = 2;
const URL_VALUE = 3;
const COOKIE = 4;
const SET_COOKIE = 5;
type HeaderAction = typeof KEEP_VALUE | typeof CENSOR | typeof MASK | typeof URL_VALUE | typeof COOKIE | typeof SET_COOKIE;
/** Header names remembered per side; names are data too, so the memo is bounded. */
const MAX_HEADER_NAMES = 512;

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

const DATA_URL = /^(data:[^,]*;base64,)(.*)$/s;

/** Whether a URL may hold one of the finder's key parameters (a `%` may spell any name). */
function mayHoldKeyParam(url: string): boolean {
  return url.includes('pi_key') || url.includes('piKey') || url.includes('%');
}

/**
 * Builds the redactor once per pipeline (rules compiled here, nothing is compiled per log).
 * The returned function redacts a built log in place, request and response alike: headers, cookies,
 * the query and fragment in queryString, request.url, pageref and URL-valued headers, form and
 * multipart fields, and JSON bodies. Redacted values keep their key and become "[REDACTED <length>]" /
 * "[REDACTED]". Whatever the lists say, a credential the built-in finder reads leaves only masked.
 */
function createKeyRedactor(opts: RedactOptions): (log: MetricsLog) => void {
  const policy = new Policy(opts);
  const active = policy.active;
  const field = (name: string): boolean => active && policy.flatRedacted(name, false);
  const header = (name: string): boolean => active && policy.flatRedacted(name, true);
  const cookie: ValueRule = censoring(field);
  /** Query and fragment parameters: listed ones are censored, the finder's key parameters masked. */
  const param: ValueRule = (name, value) => (field(name) ? censor(value) : KEY_PARAMS.has(name) ? mask(value) : undefined);

  /**
   * What happens to a header's value, decided once per name and side: logs repeat the same few dozen
   * header names, and the decision (lists, credential names, URL and cookie headers) took lower-casing
   * and several lookups per header per log.
   */
  const headerActions = [new Map<string, HeaderAction>(), new Map<string, HeaderAction>()];
  const headerAction = (name: string, request: boolean): HeaderAction => {
    const memo = headerActions[request ? 1 : 0];
    let action = memo.get(name);
    if (action !== undefined) return action;
    const lower = name.toLowerCase();
    if (header(name)) action = CENSOR;
    // `request`: the builder already masked the request's Authorization (the contract's place for it).
    else if (isCredentialHeader(lower)) action = request && lower === 'authorization' ? KEEP_VALUE : MASK;
    else if (URL_HEADERS.has(lower)) action = URL_VALUE;
    else if (lower === 'cookie') action = COOKIE;
    else if (lower === 'set-cookie') action = SET_COOKIE;
    else action = KEEP_VALUE;
    if (memo.size < MAX_HEADER_NAMES) {
      const copy = cacheKey(name);
      if (copy !== undefined) memo.set(copy, action);
    }
    return action;
  };

  const headers = (list: NameValue[], request: boolean): void => {
    for (const h of list) {
      const action = headerAction(h.name, request);
      if (action === KEEP_VALUE) continue;
      if (action === CENSOR) h.value = censor(h.value);
      else if (action === MASK) h.value = mask(h.value);
      else if (action === URL_VALUE) h.value = redactUrlHeader(h.name.toLowerCase(), h.value, param);
      else if (action === COOKIE) h.value = redactCookieHeader(h.value, cookie);
      else h.value = redactSetCookieHeader(h.value, cookie);
    }
  };

  const queryPairs = (list: NameValue[]): void => {
    for (const p of list) {
      const replacement = param(p.name, p.value);
      if (replacement !== undefined) p.value = replacement;
    }
  };

  /** Form and multipart params: files are data URLs, fields may hold JSON. */
  const params = (list: PostDataParam[]): void => {
    for (const p of list) {
      if (p.value === undefined) continue;
      if (field(p.name)) p.value = censor(p.value);
      else if (p.contentType !== undefined) p.value = dataUrl(p.value, p.contentType);
      else if (looksLikeJson(p.value)) p.value = json(p.value);
    }
  };

  /** JSON carried inside a field (Slack's `payload=`, a multipart `metadata` part) is redacted like a body. */
  const json = (value: string): string => redactJsonText(value, policy) ?? value;

  /** A file part is a data URL; a JSON file's content is redacted (and stays base64, as files are sent). */
  const dataUrl = (value: string, contentType: string): string => {
    if (!essenceOf(contentType).includes('json')) return value;
    const m = DATA_URL.exec(value);
    if (!m) return value;
    const text = Buffer.from(m[2], 'base64').toString('utf8');
    const redacted = json(text);
    return redacted === text ? value : m[1] + Buffer.from(redacted, 'utf8').toString('base64');
  };

  /** HAR cookies mirror the Cookie / Set-Cookie headers: redacted whenever those are. */
  const cookies = (list: HarCookie[], headerName: string): void => {
    if (list.length === 0) return;
    const all = header(headerName);
    for (const c of list) if (all || field(c.name)) c.value = censor(c.value);
  };

  const text = (body: string, mimeType: string): string | undefined => {
    if (body === '') return undefined;
    const essence = essenceOf(mimeType);
    if (essence.includes('json') || (essence === '' && looksLikeJson(body))) return redactJsonText(body, policy);
    if (essence === FORM) return redactQuery(body, formField);
    if (essence === MULTIPART) return redactMultipartText(body, mimeType, field, json);
    return undefined;
  };

  /** A field of a form body kept as text: censored when listed, its JSON redacted when it holds some. */
  const formField: ValueRule = (name, value) => {
    if (field(name)) return censor(value);
    if (!looksLikeJson(value)) return undefined;
    const redacted = json(value);
    return redacted === value ? undefined : redacted;
  };

  const postData = (pd: PostData): void => {
    if (pd.params) params(pd.params);
    if (pd.text === undefined || pd.encoding === 'base64') return;
    const redacted = text(pd.text, pd.mimeType);
    if (redacted !== undefined) pd.text = redacted;
  };

  const content = (c: HarContent): void => {
    if (c.encoding === 'base64') return;
    const redacted = text(c.text, c.mimeType);
    if (redacted !== undefined) c.text = redacted;
  };

  /** With no list at all, only the finder's credentials can change: headers and key parameters. */
  const credentialsOnly = (e: HarEntry): void => {
    const { request: req, response: res } = e;
    headers(req.headers, true);
    headers(res.headers, false);
    if (mayHoldKeyParam(req.url)) {
      queryPairs(req.queryString);
      req.url = redactUrl(req.url, param);
      e.pageref = redactUrl(e.pageref, param);
    }
    if (res.redirectURL && mayHoldKeyParam(res.redirectURL)) res.redirectURL = redactUrl(res.redirectURL, param);
  };

  const entry = (e: HarEntry): void => {
    if (!active) return credentialsOnly(e);
    const { request: req, response: res } = e;
    headers(req.headers, true);
    headers(res.headers, false);
    queryPairs(req.queryString);
    req.url = redactUrl(req.url, param);
    e.pageref = redactUrl(e.pageref, param);
    // redirectURL is the Location header's copy: redacted whole when a denylist names that header
    // (under an allowlist it is judged by its parameters, like request.url).
    if (res.redirectURL) res.redirectURL = policy.mode === 'deny' && header('location') ? censor(res.redirectURL) : redactUrl(res.redirectURL, param);
    cookies(req.cookies, 'cookie');
    cookies(res.cookies, 'set-cookie');
    if (req.postData) postData(req.postData);
    content(res.content);
  };

  return (log) => {
    for (const e of log.request.log.entries) entry(e);
  };
}
