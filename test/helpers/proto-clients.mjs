// Clients that see the wire: raw sockets (exact bytes, pipelining, 100-continue) and HTTP/2 sessions.
import http2 from 'node:http2';
import net from 'node:net';

/** A raw TCP conversation: write bytes, wait for text to arrive, collect everything until close. */
export function rawSocket(port) {
  const socket = net.connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  const waiters = [];
  socket.on('data', (d) => {
    received = Buffer.concat([received, d]);
    for (const w of waiters.splice(0)) if (!w.check()) waiters.push(w);
  });
  const closed = new Promise((resolve, reject) => {
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
  return {
    socket,
    closed,
    write: (bytes) => socket.write(bytes),
    received: () => received,
    /** Resolves once the bytes received so far contain `text`. */
    waitFor(text, timeout = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(received.toString('latin1'))}`)), timeout);
        const w = {
          check() {
            if (!received.includes(text)) return false;
            clearTimeout(timer);
            resolve(received);
            return true;
          },
        };
        if (!w.check()) waiters.push(w);
      });
    },
  };
}

/** Raw response bytes without the header lines that legitimately differ between two runs. */
export function comparableBytes(buf) {
  return buf
    .toString('latin1')
    .replace(/^date: [^\r\n]*\r\n/gim, '')
    .replace(/^x-documentation-url: [^\r\n]*\r\n/gim, '');
}

/** One HTTP/2 request on a session: status, headers in order (pseudo-headers kept), body. */
export function h2request(session, headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    const chunks = [];
    let response;
    req.on('response', (h) => (response = h));
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve({ headers: response, status: response?.[':status'], body: Buffer.concat(chunks) }));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}

/** HTTP/2 response headers as [name, value] pairs, without date and x-documentation-url. */
export function comparableH2Headers(headers) {
  return Object.entries(headers ?? {}).filter(([name]) => name !== 'date' && name !== 'x-documentation-url');
}

export function h2connect(origin, ca) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, { ca, rejectUnauthorized: Boolean(ca) });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}
