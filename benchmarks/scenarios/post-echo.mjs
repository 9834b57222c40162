// POST a 1 KB JSON body that the app parses and echoes: both bodies are captured, so body capture costs show.
import { createRequire } from 'node:module';
import { runIfMain } from '../lib/bench.mjs';

const { ECHO_BODY } = createRequire(import.meta.url)('../apps/payloads.cjs');

const scenario = {
  name: 'post-echo',
  title: 'POST 1 KB JSON, echoed',
  method: 'POST',
  path: '/echo',
  headers: { 'x-api-key': 'owlbert-key-0001', 'content-type': 'application/json', accept: 'application/json' },
  body: ECHO_BODY,
  check(text) {
    if (JSON.stringify(JSON.parse(text)) !== ECHO_BODY) throw new Error(`the echo differs from the request body: ${text.slice(0, 100)}`);
  },
};

export default scenario;

await runIfMain(import.meta.url, scenario);
