// GET a small JSON document: the cheapest exchange an API serves, so per-request overhead shows most.
import { runIfMain } from '../lib/bench.mjs';

const scenario = {
  name: 'get-json',
  title: 'GET small JSON',
  method: 'GET',
  path: '/json',
  // A caller key, so both SDKs group the request the way a real API's traffic is grouped.
  headers: { 'x-api-key': 'owlbert-key-0001', accept: 'application/json' },
  check(text) {
    if (JSON.parse(text).name !== 'Owlbert') throw new Error(`unexpected body ${text.slice(0, 100)}`);
  },
};

export default scenario;

await runIfMain(import.meta.url, scenario);
