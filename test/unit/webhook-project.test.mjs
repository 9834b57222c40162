// The webhook secret's lookup against a real local stand-in for ReadMe's GET /v1/: cached for a day,
// tried again 2 minutes after a failure, asked again when ReadMe rotated the secret.
import { expect } from 'chai';
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ProjectLookup } = require('../../dist/webhook/project.js');

const KEY = 'rdme_lookup_key';
const MIN = 60_000;

describe('webhook: project secret lookup', () => {
  let server;
  let url;
  let answer;
  let calls;
  before(async () => {
    server = http.createServer((req, res) => {
      calls.push(req.headers.authorization);
      const [status, body] = answer();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  beforeEach(() => (calls = []));
  after(() => new Promise((r) => server.close(r)));

  const lookup = (extra = {}) => new ProjectLookup({ webhookSecret: undefined, apiKey: KEY, readmeApiUrl: url, timeout: 3, ...extra });
  const project = (jwtSecret) => () => [200, JSON.stringify({ baseUrl: 'https://docs.example.com', jwtSecret, subdomain: 'owl' })];

  it('asks once with Basic auth, shares one call between concurrent callers, keeps the answer a day', async () => {
    answer = project('s1');
    const l = lookup();
    const now = Date.now();
    const [a, b] = await Promise.all([l.get(now), l.get(now)]);
    expect(a).to.deep.equal({ secret: 's1', source: 'lookup', subdomain: 'owl' });
    expect(b).to.deep.equal(a);
    expect(calls).to.deep.equal([`Basic ${Buffer.from(`${KEY}:`).toString('base64')}`]);
    answer = project('s2');
    expect((await l.get(now + 23 * 60 * MIN)).secret).to.equal('s1');
    expect(calls).to.have.length(1);
    expect((await l.get(Date.now() + 24 * 60 * MIN + 1)).secret).to.equal('s2');
    expect(calls).to.have.length(2);
  });

  it('after a refused or broken answer, waits 2 minutes before asking again', async () => {
    for (const failing of [() => [401, '{"error":"no"}'], () => [200, 'not json'], () => [200, '{"baseUrl":"x"}']]) {
      calls = [];
      answer = failing;
      const l = lookup();
      const now = Date.now();
      expect((await l.get(now)).secret).to.equal(undefined);
      answer = project('s1');
      expect((await l.get(now + MIN)).secret).to.equal(undefined);
      expect(calls).to.have.length(1);
      expect((await l.get(Date.now() + 2 * MIN + 1)).secret).to.equal('s1');
    }
  });

  it('forget() drops a looked-up secret older than asked, so a rotated secret is fetched; the setting is never dropped', async () => {
    answer = project('old');
    const l = lookup();
    const now = Date.now();
    await l.get(now);
    expect(l.forget(MIN, now + 1000)).to.equal(false);
    answer = project('new');
    expect(l.forget(MIN, now + MIN + 1000)).to.equal(true);
    expect((await l.get()).secret).to.equal('new');
    const fixed = lookup({ webhookSecret: 'from-env' });
    expect(await fixed.get()).to.deep.equal({ secret: 'from-env', source: 'setting' });
    expect(fixed.forget(0)).to.equal(false);
    expect(await lookup({ apiKey: undefined }).get()).to.deep.equal({ secret: undefined, source: 'none' });
  });
});
