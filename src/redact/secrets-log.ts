import type { HarContent, HarEntry, MetricsLog, NameValue, PostData, PostDataParam } from '../har/types';
import { findSecrets, redactSecrets, Written } from './secrets';
import { redactUrlSecrets } from './secrets-url';

// secretScan over a built log: every value that leaves, after the key rules have run. Values already
// "[REDACTED <n>]" hold nothing a format matches, so running second costs nothing twice.

/** Headers whose value is a URL, scanned as one so a secret's replacement stays percent-encoded. */
const URL_HEADERS = new Set(['referer', 'location', 'content-location']);

/** Already masked by the builder (contract: mask()), which must stay readable as a mask. */
const MASKED_HEADER = 'authorization';

/** File parts whose content is text, so a token in an uploaded .env or JSON file is found too. */
const TEXT_FILE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|x-www-form-urlencoded|x-yaml|yaml|toml|javascript)\b)/i;

function plain(value: string): string {
  return redactSecrets(value) ?? value;
}

function url(value: string): string {
  return redactUrlSecrets(value) ?? value;
}

function headers(list: NameValue[]): void {
  for (const h of list) {
    const name = h.name.toLowerCase();
    if (name === MASKED_HEADER) continue;
    h.value = URL_HEADERS.has(name) ? url(h.value) : plain(h.value);
  }
}

function pairs(list: NameValue[]): void {
  for (const p of list) p.value = plain(p.value);
}

function essenceOf(mimeType: string): string {
  const semi = mimeType.indexOf(';');
  return (semi === -1 ? mimeType : mimeType.slice(0, semi)).trim().toLowerCase();
}

/** A body as text: JSON raw (escapes, bare numbers), urlencoded piece by piece, anything else as is. */
function body(text: string, mimeType: string): string | undefined {
  const essence = essenceOf(mimeType);
  const first = text.trimStart().charCodeAt(0);
  if (essence.includes('json') || (essence === '' && (first === 123 || first === 91))) return redactSecrets(text, Written.Json);
  if (essence === 'application/x-www-form-urlencoded') return redactUrlSecrets(text, true);
  return redactSecrets(text);
}

/** A file part as ReadMe's SDKs send it, `data:<type>;name=<file>;base64,<content>`: text files are decoded and scanned. */
function fileParam(p: PostDataParam): void {
  const value = p.value;
  if (value === undefined || !TEXT_FILE.test(p.contentType ?? '')) return;
  const comma = value.indexOf(',');
  if (!value.startsWith('data:') || comma === -1 || !value.slice(0, comma).endsWith(';base64')) return;
  const redacted = body(Buffer.from(value.slice(comma + 1), 'base64').toString('utf8'), p.contentType ?? '');
  if (redacted !== undefined) p.value = value.slice(0, comma + 1) + Buffer.from(redacted, 'utf8').toString('base64');
}

function params(list: PostDataParam[]): void {
  for (const p of list) {
    if (p.fileName !== undefined) fileParam(p);
    else if (p.value !== undefined) p.value = plain(p.value);
  }
}

function postDataText(pd: PostData): void {
  if (pd.text === undefined || pd.text === '' || pd.encoding === 'base64') return;
  pd.text = body(pd.text, pd.mimeType) ?? pd.text;
}

function content(c: HarContent): void {
  if (c.encoding === 'base64' || c.text === '') return;
  c.text = body(c.text, c.mimeType) ?? c.text;
}

/** The short values of an entry: headers, query values, cookies, form fields, URLs. */
function flatValues(e: HarEntry): string[] {
  const { request: req, response: res } = e;
  const out = [req.url, e.pageref, res.redirectURL];
  for (const list of [req.headers, res.headers, req.queryString, req.cookies, res.cookies]) for (const v of list) out.push(v.value);
  for (const p of req.postData?.params ?? []) if (p.fileName === undefined && p.value !== undefined) out.push(p.value);
  return out;
}

/**
 * False when none of an entry's short values can hold a secret, decided by one scan of them all joined:
 * a log's dozens of headers then cost one pass, not one per value. A secret found alone is found joined
 * (a line break is a word boundary like the ends of a value); escaped URLs always get the full pass.
 */
function flatMayHoldSecrets(e: HarEntry): boolean {
  const { request: req, response: res } = e;
  for (const u of [req.url, e.pageref, res.redirectURL]) if (u.includes('%') || u.includes('+')) return true;
  return findSecrets(flatValues(e).join('\n')).length > 0;
}

function entry(e: HarEntry): void {
  const { request: req, response: res } = e;
  if (flatMayHoldSecrets(e)) {
    headers(req.headers);
    headers(res.headers);
    pairs(req.queryString);
    pairs(req.cookies);
    pairs(res.cookies);
    req.url = url(req.url);
    e.pageref = url(e.pageref);
    if (res.redirectURL) res.redirectURL = url(res.redirectURL);
    if (req.postData?.params) params(req.postData.params);
  } else if (req.postData?.params) {
    for (const p of req.postData.params) if (p.fileName !== undefined) fileParam(p);
  }
  if (req.postData) postDataText(req.postData);
  content(res.content);
}

/** Redacts, in place, every secret found by its shape in a built log. */
export function redactLogSecrets(log: MetricsLog): void {
  for (const e of log.request.log.entries) entry(e);
}
