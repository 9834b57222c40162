'use strict';
// Request and response bodies shared by the apps and the load generator, so every row moves the same bytes.

const SMALL = { id: 42, name: 'Owlbert', active: true, tags: ['api', 'metrics'] };

/** A JSON object whose serialization is exactly `bytes` long (1 KB for the echo scenario). */
function jsonOfSize(bytes) {
  const base = { user: { id: 7, email: 'owlbert@example.com' }, items: [1, 2, 3], note: '' };
  const empty = Buffer.byteLength(JSON.stringify(base));
  base.note = 'x'.repeat(Math.max(0, bytes - empty));
  return JSON.stringify(base);
}

const ECHO_BODY = jsonOfSize(1024);

module.exports = { SMALL, ECHO_BODY, jsonOfSize };
