import { cacheKey } from './memo';

// The secrets redacted when `defaultDenylist` is on (the default), in addition to the user's lists.
// Matching ignores case, `-` and `_`, so `access_token`, `accessToken` and `Access-Token` are one key,
// and it applies at any depth of a JSON body as well as to headers, query/form/multipart fields and cookies.
// `authorization` is on the field list only: the builder masks that header (contract, section 2), so the
// dashboard can tell keys apart, but in a JSON body or a form it is a credential like any other.

/** Keys redacted when their whole name matches. */
export const DEFAULT_DENYLIST: readonly string[] = Object.freeze([
  // sessions and cookies
  'cookie',
  'set-cookie',
  'session_id',
  'session_token',
  // credentials
  'proxy-authorization',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'client_secret',
  'private_key',
  'api_key',
  'apikey',
  'x-api-key',
  // cloud providers: AWS temporary credentials and presigned URLs, Google, Azure API Management and Functions
  'x-amz-security-token',
  'x-amz-signature',
  'x-goog-api-key',
  'x-goog-signature',
  'ocp-apim-subscription-key',
  'subscription-key',
  'x-functions-key',
  // SaaS and infrastructure tokens sent in their own header (GitLab, Shopify, Vault, Consul)
  'private-token',
  'x-gitlab-token',
  'x-shopify-access-token',
  'x-vault-token',
  'x-consul-token',
  // OAuth and SAML: client authentication, PKCE verifiers, assertions (not `code`: see the README)
  'client_assertion',
  'code_verifier',
  'saml_response',
  // bearer-style tokens (not `*token*`: `max_tokens` or `page_token` are not secrets)
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'bearer_token',
  'x-auth-token',
  'x-access-token',
  'csrf_token',
  'xsrf_token',
  'x-csrf-token',
  'x-xsrf-token',
  // payment cards and national identifiers
  'card_number',
  'credit_card',
  'credit_card_number',
  'cc_number',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'ssn',
]);

/** Keys redacted in bodies, query/form/multipart fields and cookies, but not as headers, where they are masked. */
export const DEFAULT_DENYLIST_FIELDS: readonly string[] = Object.freeze(['authorization']);

/**
 * Endings that make a key a token whatever precedes them (`x-shopify-access-token`, `githubAccessToken`,
 * `oauth_token`, `X-Amz-Security-Token`). Not `*_token` alone: `page_token`, `next_token`, `max_tokens`.
 */
export const DEFAULT_DENYLIST_SUFFIXES: readonly string[] = Object.freeze([
  'access_token',
  'refresh_token',
  'auth_token',
  'session_token',
  'security_token',
  'api_token',
  'private_token',
]);

/**
 * Stems whose presence anywhere in a key is enough (`new_password`, `password_confirmation`,
 * `stripe_secret_key`, `x-goog-api-key`): these words are never used for harmless data.
 */
export const DEFAULT_DENYLIST_CONTAINS: readonly string[] = Object.freeze(['password', 'passwd', 'passphrase', 'secret', 'apikey', 'privatekey']);

const SEPARATORS = /[-_]/g;

/** The form keys are compared in: lower case without `-` and `_`. */
export function normalizeKey(key: string): string {
  const lower = key.toLowerCase();
  return lower.includes('-') || lower.includes('_') ? lower.replace(SEPARATORS, '') : lower;
}

/** Bodies repeat their keys: remembering the answer for the first few thousand saves the string work. */
const MAX_REMEMBERED = 4096;

/** A predicate over key names, built once per redactor; `headers` leaves out the field-only keys. */
export function defaultDenied(headers = false): (key: string) => boolean {
  const exact = new Set([...DEFAULT_DENYLIST, ...(headers ? [] : DEFAULT_DENYLIST_FIELDS)].map(normalizeKey));
  const stems = DEFAULT_DENYLIST_CONTAINS.map(normalizeKey);
  const suffixes = DEFAULT_DENYLIST_SUFFIXES.map(normalizeKey);
  const remembered = new Map<string, boolean>();
  return (key) => {
    const known = remembered.get(key);
    if (known !== undefined) return known;
    const k = normalizeKey(key);
    let denied = exact.has(k);
    for (let i = 0; !denied && i < stems.length; i++) denied = k.includes(stems[i]);
    for (let i = 0; !denied && i < suffixes.length; i++) denied = k.endsWith(suffixes[i]);
    if (remembered.size < MAX_REMEMBERED) {
      const copy = cacheKey(key);
      if (copy !== undefined) remembered.set(copy, denied);
    }
    return denied;
  };
}
