import { bytes, h } from './dom.js';
import { jsonView, tryParseJson } from './json-view.js';
import { isRedacted, redactedBadge, textWithRedactions } from './redaction.js';

/**
 * A request's postData or a response's content: JSON pretty-printed, form fields as a table, text as
 * text, binary as a summary (images previewed). Redacted values show as badges everywhere.
 */
export function bodyView(body) {
  if (!body) return h('p', { class: 'muted' }, 'No body');
  const mimeType = body.mimeType || '';
  const note = body.comment ? h('p', { class: 'note' }, body.comment) : null;
  if (Array.isArray(body.params)) return h('div', {}, note, paramsTable(body.params));
  const text = typeof body.text === 'string' ? body.text : '';
  if (!text) return h('p', { class: 'muted' }, body.size ? `Body of ${bytes(body.size)} not captured` : 'No body');
  if (body.encoding === 'base64') {
    const isImage = /^image\/(png|jpe?g|gif|webp|svg\+xml)/i.test(mimeType);
    return h(
      'div',
      {},
      note,
      h('p', { class: 'muted' }, `Binary body, ${bytes(body.size ?? Math.floor((text.length * 3) / 4))}${mimeType ? `, ${mimeType}` : ''}`),
      isImage ? h('img', { class: 'preview', alt: 'response image', src: `data:${mimeType};base64,${text}` }) : null,
    );
  }
  const parsed = tryParseJson(text, mimeType);
  if (parsed) return h('div', {}, note, jsonView(parsed.value));
  return h('div', {}, note, h('pre', { class: 'code' }, textWithRedactions(text)));
}

function paramsTable(params) {
  if (params.length === 0) return h('p', { class: 'muted' }, 'No fields');
  return h(
    'table',
    { class: 'kv' },
    h(
      'tbody',
      {},
      params.map((p) =>
        h(
          'tr',
          {},
          h('th', {}, p.name),
          h('td', {}, p.fileName ? `${p.fileName} (${p.contentType || 'file'})` : valueCell(p.value)),
        ),
      ),
    ),
  );
}

export function valueCell(value) {
  const v = value === undefined || value === null ? '' : String(value);
  return isRedacted(v) ? redactedBadge(v) : textWithRedactions(v);
}

/** Headers, query string: name/value rows. */
export function nameValueTable(list, emptyText) {
  if (!Array.isArray(list) || list.length === 0) return h('p', { class: 'muted' }, emptyText);
  return h(
    'table',
    { class: 'kv' },
    h('tbody', {}, list.map((p) => h('tr', {}, h('th', {}, p.name), h('td', {}, ownLink(p.value) ?? valueCell(p.value))))),
  );
}

/** x-documentation-url points back into this dashboard: make it a link. */
function ownLink(value) {
  const v = String(value ?? '');
  return v.startsWith(`${location.origin}/logs/`) ? h('a', { href: v }, v) : undefined;
}
