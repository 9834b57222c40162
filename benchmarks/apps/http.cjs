'use strict';
// The node:http app: the two bench routes written the way a plain node:http service would write them.
const http = require('node:http');
const { counter, isControl, answerControl, listen } = require('./control.cjs');
const { SMALL } = require('./payloads.cjs');

const SMALL_JSON = JSON.stringify(SMALL);

function sendJson(res, text) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/json') {
    counter.served++;
    return sendJson(res, SMALL_JSON);
  }
  if (req.method === 'POST' && req.url === '/echo') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let parsed;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.statusCode = 400;
        return res.end('bad json');
      }
      counter.served++;
      sendJson(res, JSON.stringify(parsed));
    });
    return;
  }
  if (isControl(req.url)) return answerControl(req, res);
  res.statusCode = 404;
  res.end('not found');
});

listen(server);
