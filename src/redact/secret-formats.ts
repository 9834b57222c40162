import { cacheKey } from './memo';

// The token formats secretScan recognises, as their issuers publish them (and as gitleaks, GitHub secret
// scanning and Sentry's scrubber define them). High confidence only: each has a fixed prefix, a fixed
// alphabet and length, or a checksum, so ordinary ids, hashes, base64, dates and phone numbers never match.
// Every regex is sticky: the scanner runs it at one candidate position, never over a whole text. Every
// repeat is bounded (and the long ones in a JWT cannot backtrack), so a text crafted to be full of
// candidates costs at most a few hundred steps per candidate, never a pass over the rest of the text.

export interface SecretFormat {
  readonly name: string;
  /** The characters a match can start with. */
  readonly first: string;
  /** Matches at lastIndex only. */
  readonly re: RegExp;
  /**
   * Characters the token may continue with: a match followed by one of them is a longer word that merely
   * starts like a token, not a token. Checked on the character after the (possibly trimmed) match.
   */
  readonly tail: RegExp;
  /** Final say on a match: its length as the secret (0: not a secret), for formats a regex cannot decide. */
  readonly verify?: (match: string) => number;
  /**
   * For tokens made of base64url characters: the token's first part is the whole run of such characters
   * it starts, at most `max` long, followed by `then` (a character code) when given. The scanner checks
   * this before running the regex, which keeps a text crafted as one long run of candidates linear.
   */
  readonly run?: { readonly max: number; readonly then?: number };
}

const ALNUM = /[A-Za-z0-9]/;
const BASE64URL = /[A-Za-z0-9_-]/;

/** Decoded JWT headers by their base64url text: an API's tokens share a handful of headers. */
const jwtHeaders = new Map<string, number>();
const MAX_JWT_HEADERS = 256;

/** 0 when the header part is not a JOSE header (a JSON object with `alg`), else 3 (JWS) or 5 (JWE) parts. */
function jwtParts(header: string): number {
  const known = jwtHeaders.get(header);
  if (known !== undefined) return known;
  let parts = 0;
  try {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown;
    if (h !== null && typeof h === 'object' && typeof (h as { alg?: unknown }).alg === 'string') parts = typeof (h as { enc?: unknown }).enc === 'string' ? 5 : 3;
  } catch {}
  const copy = cacheKey(header);
  if (copy !== undefined && jwtHeaders.size < MAX_JWT_HEADERS) jwtHeaders.set(copy, parts);
  return parts;
}

/** JWS (3 parts) and JWE (5 parts): the header must decode to a JSON object naming an algorithm. */
function jwtLength(match: string): number {
  const parts = match.split('.');
  const count = jwtParts(parts[0]);
  if (count === 0 || parts.length < count) return 0;
  // A sentence ending right after a token ("...sig.") must keep its full stop.
  return parts.slice(0, count).join('.').length;
}

/** Real tokens of these families always carry digits; words that start like them ("xoxb-welcome-back") do not. */
function hasDigit(match: string): number {
  return /\d/.test(match) ? match.length : 0;
}

/**
 * OpenAI keys: the `T3BlbkFJ` marker (base64 of "OpenAI") of current keys, a project/service/admin
 * prefix with a long body, or a legacy key: exactly 48 letters and digits of mixed case.
 */
function openAiLength(match: string): number {
  if (match.includes('T3BlbkFJ')) return match.length;
  if (/^sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}$/.test(match)) return match.length;
  if (/^sk-[A-Za-z0-9]{48}$/.test(match) && /\d/.test(match) && /[a-z]/.test(match) && /[A-Z]/.test(match)) return match.length;
  return 0;
}

export const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?-----/y;
export const PEM_END = /-----END (?:[A-Z0-9]{1,16} ){0,4}PRIVATE KEY(?: BLOCK)?-----/y;
/**
 * The body of a key cut off before its END line (a truncated capture): base64 and line breaks (also as
 * `\n` escapes in JSON), and the `Name: value` header lines of a legacy encrypted key (tried first, or
 * `Proc` would be taken for base64 and the scan would stop at its `-`; bounded, so it stays linear).
 */
export const PEM_REST = /(?:[A-Z][A-Za-z-]{0,24}: [^\r\n\\"]{0,200}|[A-Za-z0-9+/=\r\n]|\\[rn])*/y;

const f = (name: string, re: RegExp, tail: RegExp, verify?: (m: string) => number, run?: SecretFormat['run']): SecretFormat => ({ name, first: firstChars(re), re, tail, verify, run });
const DOT = 46;

/** The characters a format's regex can start with, read off its source: a literal, or `[rs]`-style choice. */
function firstChars(re: RegExp): string {
  const src = re.source.startsWith('(?:') ? re.source.slice(3) : re.source;
  if (src.startsWith('[')) return src.slice(1, src.indexOf(']'));
  return src[0];
}

/** Formats keyed by the character they start with, so a candidate position tries only its own. */
const FORMATS: readonly SecretFormat[] = [
  f('jwt', /eyJ(?=([A-Za-z0-9_-]{10,2048}))\1(?:\.(?=([A-Za-z0-9_-]{0,16384}))\2){2,4}/y, BASE64URL, jwtLength, { max: 2051, then: DOT }),
  f('aws-access-key-id', /(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}/y, ALNUM),
  f('google-api-key', /AIza[A-Za-z0-9_-]{35}/y, BASE64URL),
  f('age-secret-key', /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/y, ALNUM),
  f('github-token', /gh[pousr]_[A-Za-z0-9]{36,251}/y, ALNUM),
  f('github-fine-grained-pat', /github_pat_[A-Za-z0-9_]{60,255}/y, BASE64URL, undefined, { max: 266 }),
  f('gitlab-token', /gl(?:pat|ptt|dt|rt|soat|cbt)-[A-Za-z0-9_-]{20,300}(?:\.[a-z0-9]{9})?/y, BASE64URL, undefined, { max: 307 }),
  f('slack-token', /xox[abeprs]-[A-Za-z0-9_-]{10,255}/y, BASE64URL, hasDigit, { max: 260 }),
  f('slack-app-token', /xapp-\d-[A-Z0-9]{1,32}-\d{1,32}-[a-z0-9]{1,128}/y, ALNUM),
  f('slack-webhook', /hooks\.slack\.com(?:\\?\/)(?:services|workflows|triggers)(?:\\?\/)(?:[A-Za-z0-9_+-]|\\?\/){20,200}/y, ALNUM),
  f('stripe-key', /[rs]k_(?:live|test|prod)_[A-Za-z0-9]{16,247}/y, ALNUM),
  f('stripe-webhook-secret', /whsec_[A-Za-z0-9]{32,128}/y, ALNUM),
  f('npm-token', /npm_[A-Za-z0-9]{36}/y, ALNUM),
  f('anthropic-key', /sk-ant-(?:api|admin|sid|oat|ort)\d\d-[A-Za-z0-9_-]{32,300}/y, BASE64URL, undefined, { max: 316 }),
  f('openai-key', /sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,300}/y, BASE64URL, openAiLength, { max: 311 }),
  f('sendgrid-key', /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/y, BASE64URL),
  f('twilio-api-key', /SK[0-9a-fA-F]{32}/y, ALNUM),
  f('readme-api-key', /rdme_[a-z0-9]{30,128}/y, ALNUM),
  f('shopify-token', /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/y, ALNUM),
  f('huggingface-token', /hf_[A-Za-z]{34}/y, ALNUM),
  f('pypi-token', /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}/y, BASE64URL, undefined, { max: 320 }),
  f('digitalocean-token', /do[opr]_v1_[a-f0-9]{64}/y, ALNUM),
  f('square-token', /sq0(?:atp|csp)-[A-Za-z0-9_-]{22,128}/y, BASE64URL, undefined, { max: 135 }),
  f('postman-key', /PMAK-[a-f0-9]{24}-[a-f0-9]{34}/y, ALNUM),
  f('linear-key', /lin_api_[A-Za-z0-9]{40}/y, ALNUM),
];

/** The formats a candidate starting with this character can be. */
export const FORMATS_BY_FIRST: ReadonlyMap<string, readonly SecretFormat[]> = (() => {
  const map = new Map<string, SecretFormat[]>();
  for (const format of FORMATS) {
    for (const c of format.first) {
      const list = map.get(c) ?? [];
      list.push(format);
      map.set(c, list);
    }
  }
  return map;
})();

/** Card numbers: 13-19 digits, bare or in the groups cards are printed in (4-4-4-4[-3], 4-6-5, 4-6-4). */
export const CARD = /\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{4,5}/y;

/** Issuer prefixes and lengths (ISO/IEC 7812 ranges of the networks in use), then the Luhn checksum. */
export function isCardNumber(digits: string): boolean {
  const len = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const brand =
    (digits[0] === '4' && (len === 13 || len === 16 || len === 19)) || // Visa
    (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) || // Mastercard
    ((p2 === 34 || p2 === 37) && len === 15) || // American Express
    ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || p2 === 62) && len >= 16) || // Discover, UnionPay
    (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39 || p4 === 3095) && len >= 14) || // Diners
    (p4 >= 3528 && p4 <= 3589 && len >= 16); // JCB
  return brand && luhn(digits);
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}
