// Secrets of every format secretScan knows, and near-misses it must leave alone. Every token here is made
// up (random characters in the issuer's published shape); none was ever issued.

/** Deterministic characters from an alphabet, so failures reproduce. */
function chars(alphabet, n, seed) {
  let s = '';
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s += alphabet[(x >>> 0) % alphabet.length];
  }
  return s;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64URL = `${ALNUM}-_`;
const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const PEM_BODY = [chars(`${ALNUM}+/`, 64, 7), chars(`${ALNUM}+/`, 64, 8), `${chars(`${ALNUM}+/`, 40, 9)}==`].join('\n');
const pem = (label) => `-----BEGIN ${label}-----\n${PEM_BODY}\n-----END ${label}-----`;

/** name -> a secret of that format, as it would appear in traffic. */
export const SECRETS = {
  'jwt-hs256': `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'Owlbert', iat: 1516239022 })}.${chars(B64URL, 43, 1)}`,
  'jwt-rs256-kid': `${b64url({ kid: 'k1', alg: 'RS256' })}.${b64url({ iss: 'https://issuer.example', exp: 1900000000 })}.${chars(B64URL, 342, 2)}`,
  'jwt-unsigned': `${b64url({ alg: 'none' })}.${b64url({ sub: 'u1' })}.`,
  jwe: `${b64url({ alg: 'dir', enc: 'A256GCM' })}..${chars(B64URL, 16, 3)}.${chars(B64URL, 30, 4)}.${chars(B64URL, 22, 5)}`,
  'pem-rsa': pem('RSA PRIVATE KEY'),
  'pem-pkcs8': pem('PRIVATE KEY'),
  'pem-openssh': pem('OPENSSH PRIVATE KEY'),
  'pem-ec': pem('EC PRIVATE KEY'),
  'pem-encrypted': pem('ENCRYPTED PRIVATE KEY'),
  'pem-pgp': pem('PGP PRIVATE KEY BLOCK'),
  'pem-legacy-encrypted': `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${chars(HEX, 32, 10).toUpperCase()}\n\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`,
  'pem-truncated': `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY.slice(0, 100)}`,
  'aws-akia': `AKIA${chars(UPPER, 16, 11)}`,
  'aws-asia': `ASIA${chars(UPPER, 16, 12)}`,
  'github-ghp': `ghp_${chars(ALNUM, 36, 13)}`,
  'github-gho': `gho_${chars(ALNUM, 36, 14)}`,
  'github-ghu': `ghu_${chars(ALNUM, 36, 15)}`,
  'github-ghs': `ghs_${chars(ALNUM, 36, 16)}`,
  'github-ghr': `ghr_${chars(ALNUM, 76, 17)}`,
  'github-fine-grained': `github_pat_${chars(ALNUM, 22, 18)}_${chars(ALNUM, 59, 19)}`,
  'gitlab-pat': `glpat-${chars(`${ALNUM}-_`, 20, 20)}`,
  'slack-bot': `xoxb-${chars('0123456789', 12, 21)}-${chars('0123456789', 13, 22)}-${chars(ALNUM, 24, 23)}`,
  'slack-user': `xoxp-${chars('0123456789', 12, 24)}-${chars('0123456789', 12, 25)}-${chars('0123456789', 13, 26)}-${chars(HEX, 32, 27)}`,
  'slack-webhook': `https://hooks.slack.com/services/T${chars(UPPER, 8, 28)}/B${chars(UPPER, 10, 29)}/${chars(ALNUM, 24, 30)}`,
  'stripe-sk-live': `sk_live_${chars(ALNUM, 99, 31)}`,
  'stripe-rk-live': `rk_live_${chars(ALNUM, 24, 32)}`,
  'stripe-sk-test': `sk_test_${chars(ALNUM, 24, 33)}`,
  'stripe-webhook': `whsec_${chars(ALNUM, 32, 34)}`,
  npm: `npm_${chars(ALNUM, 36, 35)}`,
  'openai-project': `sk-proj-${chars(B64URL, 74, 36)}T3BlbkFJ${chars(B64URL, 74, 37)}`,
  'openai-legacy': `sk-${chars(ALNUM, 20, 38)}T3BlbkFJ${chars(ALNUM, 20, 39)}`,
  anthropic: `sk-ant-api03-${chars(B64URL, 93, 40)}AA`,
  'google-api-key': `AIza${chars(B64URL, 35, 41)}`,
  sendgrid: `SG.${chars(B64URL, 22, 42)}.${chars(B64URL, 43, 43)}`,
  'twilio-api-key': `SK${chars(HEX, 32, 44)}`,
  'readme-api-key': `rdme_${chars('abcdefghijklmnopqrstuvwxyz0123456789', 70, 45)}`,
  shopify: `shpat_${chars(HEX, 32, 46)}`,
  huggingface: `hf_${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34, 47)}`,
  pypi: `pypi-AgEIcHlwaS5vcmc${chars(B64URL, 60, 48)}`,
  digitalocean: `dop_v1_${chars(HEX, 64, 49)}`,
  square: `sq0atp-${chars(B64URL, 22, 50)}`,
  postman: `PMAK-${chars(HEX, 24, 51)}-${chars(HEX, 34, 52)}`,
  linear: `lin_api_${chars(ALNUM, 40, 53)}`,
  age: `AGE-SECRET-KEY-1${chars('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58, 54)}`,
  'card-visa': '4111111111111111',
  'card-visa-spaced': '4111 1111 1111 1111',
  'card-visa-dashed': '4012-8888-8888-1881',
  'card-visa-13': '4222222222222',
  'card-mastercard': '5555555555554444',
  'card-mastercard-2series': '2223003122003222',
  'card-amex': '378282246310005',
  'card-amex-spaced': '3782 822463 10005',
  'card-discover': '6011111111111117',
  'card-diners': '30569309025904',
  'card-jcb': '3530111333300000',
  'card-unionpay': '6200000000000005',
};

/** Values that look a little like secrets and are not: the scan must leave every one unchanged. */
export const NEAR_MISSES = [
  // ids and hashes
  '123e4567-e89b-12d3-a456-426614174000',
  'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  '12345678-1234-1234-1234-123456789012',
  '00000000-0000-0000-0000-000000000000',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'd41d8cd98f00b204e9800998ecf8427e',
  '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==?abcd',
  // ordinary base64 and base64url
  'SGVsbG8sIHdvcmxkISBUaGlzIGlzIGp1c3QgYmFzZTY0IGVuY29kZWQgdGV4dC4=',
  'eyJub3QiOiJhIHRva2VuIn0',
  'eyJhIjoxfQ.eyJiIjoyfQ.c2lnbmF0dXJl',
  'eyJustkidding.this.isnot',
  'AAAAB3NzaC1yc2EAAAADAQABAAABAQC7',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA0Z5nR6ZbP1Rd5sxH3bS5Kp+wQ user@host',
  // dates, times, numbers
  '2026-12-06T21:12:32.000Z',
  '2026-12-06 21:12:32',
  'Sun, 06 Dec 2026 21:12:32 GMT',
  '1733500000000',
  '1733500000000000',
  '1733500000000000000',
  '1234567890123456789',
  '4111111111111112',
  '41111111111111111111',
  '411111111111',
  '1234567812345670',
  '4111111111111111.25',
  '3.4111111111111111',
  '9007199254740993',
  // phone numbers
  '+1 415-555-0123',
  '+14155550123',
  '+441632960961',
  '+4111111111111111',
  '0044 20 7946 0958',
  '(415) 555-0123 ext. 4567',
  // order ids and references
  'ORD-4111111111111111',
  'order_4111111111111111',
  'INV-2026-000123',
  'A4111111111111111',
  '4111111111111111-2',
  'DE89370400440532013000',
  'GB82WEST12345698765432',
  '1Z999AA10123456784',
  // words that start like tokens
  'ghp_short',
  'AKIAIOSFODNN7EXAMPL',
  'AKIAIOSFODNN7EXAMPLEX',
  'xAKIAIOSFODNN7EXAMPLE',
  'sk-learn-0.24-compatible-wheels',
  'desk-lamp-with-wireless-charger-2024',
  'task-runner-retry-count-exceeded-error',
  'xoxo-hugs-and-kisses-from-grandma',
  'xoxb-welcome-back-to-the-channel',
  'pk_live_51HqLyjWDarjtT1zdp7dc',
  'sk_live_short',
  'SKU-1000-BLUE',
  'SKUNKWORKS-PROJECT-IDENTIFIER-42',
  'SG.short.x',
  'AIzaTooShort123',
  'npm_config_cache',
  'github_pat_short',
  'glpat-short',
  'hf_transfer_enabled_for_downloads',
  'rdme_test_key_1234',
  'whsec_short',
  // PEM blocks that are not private keys
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----',
  // everyday strings
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'https://example.com/users/42/orders?page=2&sort=-created_at',
  'owlbert@example.com',
  '192.168.100.200, 10.0.0.1',
  '00:1A:2B:3C:4D:5E',
  'version 1.2.3-beta.4+build.5678',
  'Please leave the package at the side door, thanks!',
];
