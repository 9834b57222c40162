import { createHash } from 'node:crypto';

/** The contract's mask: "sha512-" + base64(sha512(v)) + "?" + the last 4 characters of v. */
export function mask(value: string): string {
  const digest = createHash('sha512').update(value, 'utf8').digest('base64');
  return `sha512-${digest}?${value.slice(-4)}`;
}
