import { redactSecrets, Written } from './secrets';

/** Pieces of a URL or urlencoded text between its delimiters: path segments, names, values. */
const PIECE = /[^/?#&=;]+/g;

function decodePiece(piece: string, plusIsSpace: boolean): string | undefined {
  try {
    return decodeURIComponent(plusIsSpace ? piece.replace(/\+/g, ' ') : piece);
  } catch {
    return undefined;
  }
}

/**
 * A URL (or an application/x-www-form-urlencoded text, `query` true) with the secrets in it redacted;
 * undefined when there are none. Secrets written as they are (a JWT, a GitHub token in a path segment)
 * are replaced in place, percent-encoded; a piece with escapes (a card number with `%20` or `+` between
 * its groups) is decoded first and, when it held a secret, re-encoded whole.
 */
export function redactUrlSecrets(url: string, query = false): string | undefined {
  const raw = redactSecrets(url, Written.Url);
  // Only escapes the URL came with can hide a secret (the raw pass adds some of its own).
  if (!url.includes('%') && !(url.includes('+') && (query || url.includes('?')))) return raw;
  let out = raw ?? url;
  const queryStart = query ? 0 : out.indexOf('?') === -1 ? out.length : out.indexOf('?');
  let changed = raw !== undefined;
  out = out.replace(PIECE, (piece: string, offset: number) => {
    const plusIsSpace = offset >= queryStart;
    if (!piece.includes('%') && !(plusIsSpace && piece.includes('+'))) return piece;
    const decoded = decodePiece(piece, plusIsSpace);
    const redacted = decoded === undefined ? undefined : redactSecrets(decoded);
    if (redacted === undefined) return piece;
    changed = true;
    return encodeURIComponent(redacted);
  });
  return changed ? out : undefined;
}
