import { censor } from './censor';
import type { NamePredicate } from './query';

const BOUNDARY = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i;
const FIELD_NAME = /;\s*name=(?:"([^"]*)"|([^;\s]+))/i;
const DISPOSITION = /^content-disposition\s*:/i;
const LINE_BREAK = /\r?\n/;

const JSON_START = /^\s*[[{]/;

/**
 * Multipart bodies kept as text (truncated at maxBodySize, or not parseable) still name their fields:
 * redacts the content of each denied part, the last one even when it is cut off, and the JSON inside
 * the others (`json` returns its argument when nothing in it is redacted); undefined when none.
 */
export function redactMultipartText(text: string, mimeType: string, denied: NamePredicate, json: (text: string) => string): string | undefined {
  const m = BOUNDARY.exec(mimeType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return undefined;
  const parts = text.split(`--${boundary}`);
  let changed = false;
  // parts[0] is the preamble; a part starting with "--" follows the closing delimiter.
  for (let k = 1; k < parts.length; k++) {
    const part = parts[k];
    if (part.startsWith('--')) continue;
    let headEnd = part.indexOf('\r\n\r\n');
    let sep = 4;
    if (headEnd === -1) {
      headEnd = part.indexOf('\n\n');
      sep = 2;
    }
    if (headEnd === -1) continue;
    const disposition = part
      .slice(0, headEnd)
      .split(LINE_BREAK)
      .find((line) => DISPOSITION.test(line));
    const nm = disposition ? FIELD_NAME.exec(disposition) : null;
    const name = nm ? (nm[1] ?? nm[2]) : undefined;
    const closed = k < parts.length - 1;
    const tail = closed && part.endsWith('\r\n') ? 2 : closed && part.endsWith('\n') ? 1 : 0;
    const content = part.slice(headEnd + sep, part.length - tail);
    let replaced: string;
    if (name !== undefined && denied(name)) replaced = censor(content);
    else if (JSON_START.test(content)) replaced = json(content);
    else continue;
    if (replaced === content) continue;
    parts[k] = `${part.slice(0, headEnd + sep)}${replaced}${part.slice(part.length - tail)}`;
    changed = true;
  }
  return changed ? parts.join(`--${boundary}`) : undefined;
}
