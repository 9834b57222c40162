// Redaction of a built log, place by place, on both sides: headers, cookies, queries (queryString,
// request.url, pageref, URL-valued headers), form and multipart fields, JSON bodies; deny/allow/default lists.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createRedactor, DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS } = require('../../dist/redact/index.js');

const mask = (v) => `sha512-${createHash('sha512').update(v).digest('base64')}?${v.slice(-4)}`;
const R = (s) => `[REDACTED ${s.length}]`;

/** A log shaped as src/har/build.ts makes it; only the parts redaction looks at vary. */
function makeLog({ url = 'http://api.test/things', pageref, reqHeaders = [], resHeaders = [], postData, content, redirectURL = '', cookies = [] } = {}) {
  const q = url.indexOf('?');
  const queryString = q === -1 ? [] : [...new URLSearchParams(url.slice(q + 1).split('#')[0])].map(([name, value]) => ({ name, value }));
  const request = { method: 'POST', url, httpVersion: 'HTTP/1.1', headers: reqHeaders, queryString, cookies, headersSize: -1, bodySize: -1 };
  if (postData) request.postData = postData;
  return {
    _id: '00000000-0000-4000-8000-000000000000',
    _version: 3,
    group: { id: mask('rdme_key_1234'), label: 'Owlbert' },
    clientIPAddress: '127.0.0.1',
    development: false,
    request: {
      log: {
        version: '1.2',
        creator: { name: 'readme-metrics (node)', version: '0.0.0', comment: 'test' },
        entries: [
          {
            pageref: pageref ?? url,
            startedDateTime: new Date(0).toISOString(),
            time: 1,
            request,
            response: {
              status: 200,
              statusText: 'OK',
              httpVersion: 'HTTP/1.1',
              headers: resHeaders,
              content: content ?? { text: '', size: 0, mimeType: '' },
              redirectURL,
              cookies: [],
              headersSize: -1,
              bodySize: -1,
            },
            cache: {},
            timings: { wait: 0, receive: 1 },
          },
        ],
      },
    },
  };
}

const entry = (log) => log.request.log.entries[0];
const redact = (opts, log) => {
  createRedactor({ defaultDenylist: false, ...opts })(log);
  return entry(log);
};
const json = (text, mimeType = 'application/json') => ({ text, size: text.length, mimeType });

describe('redact: credentials, cookies and URLs with no list at all', () => {
  it('masks every credential header the finder reads, on both sides, and the finder\'s key parameters', () => {
    const e = redact(
      {},
      makeLog({
        url: 'http://api.test/k?api_key=q-key-1111&apiKey=q-key-2222&page=3',
        reqHeaders: [
          { name: 'X-Api-Key', value: 'h-key-3333' },
          { name: 'Proxy-Authorization', value: 'Basic cHJveHk6cHc=' },
        ],
        resHeaders: [{ name: 'Authorization', value: 'Bearer echoed-4444' }],
      }),
    );
    expect(e.request.headers).to.deep.equal([
      { name: 'X-Api-Key', value: mask('h-key-3333') },
      { name: 'Proxy-Authorization', value: mask('Basic cHJveHk6cHc=') },
    ]);
    expect(e.response.headers).to.deep.equal([{ name: 'Authorization', value: mask('Bearer echoed-4444') }]);
    expect(e.request.queryString).to.deep.equal([
      { name: 'api_key', value: mask('q-key-1111') },
      { name: 'apiKey', value: mask('q-key-2222') },
      { name: 'page', value: '3' },
    ]);
    expect(e.request.url).to.equal(`http://api.test/k?api_key=${encodeURIComponent(mask('q-key-1111'))}&apiKey=${encodeURIComponent(mask('q-key-2222'))}&page=3`);
    expect(e.pageref).to.equal(e.request.url);
  });

  it('redacts listed cookies by name inside Cookie and Set-Cookie, keeping spacing and attributes', () => {
    const e = redact(
      { denylist: ['sid'] },
      makeLog({
        reqHeaders: [{ name: 'Cookie', value: 'theme=dark;sid=abc;  sid = xyz ; n' }],
        resHeaders: [
          { name: 'Set-Cookie', value: 'sid=s3cr3t; Path=/; HttpOnly' },
          { name: 'Set-Cookie', value: 'theme=light' },
        ],
        cookies: [
          { name: 'theme', value: 'dark' },
          { name: 'sid', value: 'abc' },
        ],
      }),
    );
    expect(e.request.headers[0].value).to.equal('theme=dark;sid=[REDACTED 3];  sid = [REDACTED 3] ; n');
    expect(e.response.headers.map((h) => h.value)).to.deep.equal(['sid=[REDACTED 6]; Path=/; HttpOnly', 'theme=light']);
    expect(e.request.cookies).to.deep.equal([
      { name: 'theme', value: 'dark' },
      { name: 'sid', value: '[REDACTED 3]' },
    ]);
  });

  it('redacts redirectURL whole when the Location header is listed', () => {
    const e = redact({ denylist: ['location'] }, makeLog({ redirectURL: '/next/secret-path', resHeaders: [{ name: 'Location', value: '/next/secret-path' }] }));
    expect(e.response.headers[0].value).to.equal(R('/next/secret-path'));
    expect(e.response.redirectURL).to.equal(R('/next/secret-path'));
  });

  it('redacts fragment parameters, hash-route queries, Link targets and Refresh URLs', () => {
    const E = (s) => encodeURIComponent(R(s));
    const e = redact(
      { denylist: ['token'] },
      makeLog({
        url: 'http://api.test/p?token=a1#token=b22&x=1',
        resHeaders: [
          { name: 'Location', value: 'https://c.example/cb#/route?token=c333&y=2' },
          { name: 'Link', value: '<https://a.example/?token=d4444>; rel="next", <https://a.example/?page=2>; rel="last"' },
          { name: 'Refresh', value: '0; URL="/next?token=e55555"' },
          { name: 'Referer', value: 'https://r.example/#token=f6' },
        ],
      }),
    );
    expect(e.request.url).to.equal(`http://api.test/p?token=${E('a1')}#token=${E('b22')}&x=1`);
    expect(e.response.headers.map((h) => h.value)).to.deep.equal([
      `https://c.example/cb#/route?token=${E('c333')}&y=2`,
      `<https://a.example/?token=${E('d4444')}>; rel="next", <https://a.example/?page=2>; rel="last"`,
      `0; URL="/next?token=${E('e55555')}"`,
      `https://r.example/#token=${E('f6')}`,
    ]);
  });
});

describe('redact: headers', () => {
  it('redacts denied headers on both sides, names case-insensitive, keys kept', () => {
    const e = redact(
      { denylist: ['X-Secret', 'set-cookie'] },
      makeLog({
        reqHeaders: [
          { name: 'x-secret', value: 'abc' },
          { name: 'X-Other', value: 'keep' },
        ],
        resHeaders: [
          { name: 'X-SECRET', value: 'response-side' },
          { name: 'Set-Cookie', value: 'a=1' },
          { name: 'Set-Cookie', value: 'b=22' },
          { name: 'content-type', value: 'text/plain' },
        ],
      }),
    );
    expect(e.request.headers).to.deep.equal([
      { name: 'x-secret', value: '[REDACTED 3]' },
      { name: 'X-Other', value: 'keep' },
    ]);
    expect(e.response.headers).to.deep.equal([
      { name: 'X-SECRET', value: '[REDACTED 13]' },
      { name: 'Set-Cookie', value: '[REDACTED 3]' },
      { name: 'Set-Cookie', value: '[REDACTED 4]' },
      { name: 'content-type', value: 'text/plain' },
    ]);
  });

  it('leaves the masked Authorization header masked unless authorization is listed', () => {
    const masked = mask('Bearer abcdefgh');
    const headers = () => [{ name: 'Authorization', value: masked }];
    expect(redact({ defaultDenylist: true }, makeLog({ reqHeaders: headers() })).request.headers[0].value).to.equal(masked);
    expect(redact({ denylist: ['password'], defaultDenylist: true }, makeLog({ reqHeaders: headers() })).request.headers[0].value).to.equal(masked);
    expect(redact({ denylist: ['authorization'] }, makeLog({ reqHeaders: headers() })).request.headers[0].value).to.equal(R(masked));
  });

  it('redacts the default secrets in headers (cookie, set-cookie, x-api-key, proxy-authorization)', () => {
    const e = redact(
      { defaultDenylist: true },
      makeLog({
        reqHeaders: [
          { name: 'Cookie', value: 'sid=1' },
          { name: 'X-Api-Key', value: 'k123' },
          { name: 'Proxy-Authorization', value: 'Basic xyz' },
          { name: 'accept', value: '*/*' },
        ],
        resHeaders: [{ name: 'set-cookie', value: 'sid=2; HttpOnly' }],
      }),
    );
    expect(e.request.headers.map((h) => h.value)).to.deep.equal(['[REDACTED 5]', '[REDACTED 4]', '[REDACTED 9]', '*/*']);
    expect(e.response.headers[0].value).to.equal('[REDACTED 15]');
  });

  it('redacts the query of URL-valued headers (referer, location, content-location)', () => {
    const e = redact(
      { denylist: ['code'] },
      makeLog({
        reqHeaders: [{ name: 'Referer', value: 'https://app.test/cb?code=xyz&state=s' }],
        resHeaders: [{ name: 'Location', value: '/next?code=abcd#top' }],
        redirectURL: '/next?code=abcd#top',
      }),
    );
    expect(e.request.headers[0].value).to.equal('https://app.test/cb?code=%5BREDACTED%203%5D&state=s');
    expect(e.response.headers[0].value).to.equal('/next?code=%5BREDACTED%204%5D#top');
    expect(e.response.redirectURL).to.equal('/next?code=%5BREDACTED%204%5D#top');
  });
});

describe('redact: query strings', () => {
  it('redacts queryString, request.url and pageref alike, leaving other pairs byte-identical', () => {
    const url = 'http://api.test/p?a=1&pin=12%2034&b=x+y&&pin=9&c=%E2%9C%93#frag';
    const e = redact({ denylist: ['pin'] }, makeLog({ url }));
    expect(e.request.queryString).to.deep.equal([
      { name: 'a', value: '1' },
      { name: 'pin', value: '[REDACTED 5]' },
      { name: 'b', value: 'x y' },
      { name: 'pin', value: '[REDACTED 1]' },
      { name: 'c', value: '✓' },
    ]);
    const expected = 'http://api.test/p?a=1&pin=%5BREDACTED%205%5D&b=x+y&&pin=%5BREDACTED%201%5D&c=%E2%9C%93#frag';
    expect(e.request.url).to.equal(expected);
    expect(e.pageref).to.equal(expected);
    expect(new URL(e.request.url).searchParams.getAll('pin')).to.deep.equal(['[REDACTED 5]', '[REDACTED 1]']);
  });

  it('matches encoded names as decoded, and keys without a value', () => {
    const e = redact({ denylist: ['api key'] }, makeLog({ url: 'http://api.test/?api%20key=s3&api+key&x=1' }));
    expect(e.request.url).to.equal('http://api.test/?api%20key=%5BREDACTED%202%5D&api+key=%5BREDACTED%200%5D&x=1');
    expect(e.request.queryString[1]).to.deep.equal({ name: 'api key', value: '[REDACTED 0]' });
  });

  it('leaves a route-template pageref and URLs without denied params untouched', () => {
    const url = 'http://api.test/users/7?x=1&y=2';
    const e = redact({ denylist: ['pin'] }, makeLog({ url, pageref: 'http://api.test/users/:id' }));
    expect(e.request.url).to.equal(url);
    expect(e.pageref).to.equal('http://api.test/users/:id');
  });

  it('redacts default secrets in the query (access_token, apiKey) while keeping others', () => {
    const e = redact({ defaultDenylist: true }, makeLog({ url: 'http://api.test/?access_token=t0k&apiKey=k&page=2' }));
    expect(e.request.queryString.map((p) => p.value)).to.deep.equal(['[REDACTED 3]', '[REDACTED 1]', '2']);
    expect(e.request.url).to.equal('http://api.test/?access_token=%5BREDACTED%203%5D&apiKey=%5BREDACTED%201%5D&page=2');
  });
});

describe('redact: form and multipart fields', () => {
  it('redacts urlencoded params in postData and a urlencoded response body', () => {
    const e = redact(
      { denylist: ['pin'] },
      makeLog({
        postData: {
          mimeType: 'application/x-www-form-urlencoded',
          params: [
            { name: 'pin', value: '1234' },
            { name: 'name', value: 'owl' },
          ],
        },
        content: { text: 'pin=999&name=owl', size: 16, mimeType: 'application/x-www-form-urlencoded; charset=utf-8' },
      }),
    );
    expect(e.request.postData.params).to.deep.equal([
      { name: 'pin', value: '[REDACTED 4]' },
      { name: 'name', value: 'owl' },
    ]);
    expect(e.response.content.text).to.equal('pin=%5BREDACTED%203%5D&name=owl');
  });

  it('redacts a form body kept as text (truncated)', () => {
    const e = redact(
      { defaultDenylist: true },
      makeLog({ postData: { mimeType: 'application/x-www-form-urlencoded', text: 'user=a&password=hunter2&note=trunc', comment: 'truncated: 34 of 900 bytes captured' } }),
    );
    expect(e.request.postData.text).to.equal('user=a&password=%5BREDACTED%207%5D&note=trunc');
  });

  it('redacts multipart fields and files named in the list, keeping file names and types', () => {
    const file = 'data:text/plain;name=key.pem;base64,LS0tLS1CRUdJTg==';
    const e = redact(
      { denylist: ['pin', 'keyfile'] },
      makeLog({
        postData: {
          mimeType: 'multipart/form-data; boundary=b',
          params: [
            { name: 'pin', value: '0000' },
            { name: 'title', value: 'hello' },
            { name: 'keyfile', fileName: 'key.pem', contentType: 'text/plain', value: file },
            { name: 'photo', fileName: 'a.png', contentType: 'image/png', value: 'data:image/png;name=a.png;base64,iVBO' },
          ],
        },
      }),
    );
    expect(e.request.postData.params).to.deep.equal([
      { name: 'pin', value: '[REDACTED 4]' },
      { name: 'title', value: 'hello' },
      { name: 'keyfile', fileName: 'key.pem', contentType: 'text/plain', value: R(file) },
      { name: 'photo', fileName: 'a.png', contentType: 'image/png', value: 'data:image/png;name=a.png;base64,iVBO' },
    ]);
  });

  it('redacts multipart bodies kept as text, including a part cut off by truncation', () => {
    const text = [
      '--XB\r\nContent-Disposition: form-data; name="pin"\r\n\r\n4321\r\n',
      '--XB\r\nContent-Disposition: form-data; name="title"\r\n\r\nhi\r\n',
      '--XB\r\nContent-Disposition: form-data; name="password"; filename="p.txt"\r\nContent-Type: text/plain\r\n\r\nhunter2 and m',
    ].join('');
    const e = redact({ denylist: ['pin'], defaultDenylist: true }, makeLog({ postData: { mimeType: 'multipart/form-data; boundary="XB"', text, comment: 'truncated' } }));
    expect(e.request.postData.text).to.equal(
      [
        '--XB\r\nContent-Disposition: form-data; name="pin"\r\n\r\n[REDACTED 4]\r\n',
        '--XB\r\nContent-Disposition: form-data; name="title"\r\n\r\nhi\r\n',
        '--XB\r\nContent-Disposition: form-data; name="password"; filename="p.txt"\r\nContent-Type: text/plain\r\n\r\n[REDACTED 13]',
      ].join(''),
    );
  });

  it('redacts HAR cookies whenever the Cookie header is redacted, and by name otherwise', () => {
    const cookies = () => [
      { name: 'sid', value: 'abc' },
      { name: 'theme', value: 'dark' },
    ];
    expect(redact({ defaultDenylist: true }, makeLog({ cookies: cookies() })).request.cookies.map((c) => c.value)).to.deep.equal(['[REDACTED 3]', '[REDACTED 4]']);
    expect(redact({ denylist: ['sid'] }, makeLog({ cookies: cookies() })).request.cookies.map((c) => c.value)).to.deep.equal(['[REDACTED 3]', 'dark']);
  });
});

describe('redact: JSON bodies', () => {
  it('redacts top-level keys of request and response JSON; strings keep their length, others become [REDACTED]', () => {
    const body = '{"pin":"1234","n":{"pin":"nested"},"card":4111,"ok":true,"list":[1],"obj":{"a":1},"nil":null}';
    const e = redact(
      { denylist: ['pin', 'card', 'ok', 'list', 'obj', 'nil'] },
      makeLog({ postData: { mimeType: 'application/json', text: body }, content: json(body, 'application/json; charset=utf-8') }),
    );
    const expected = { pin: '[REDACTED 4]', n: { pin: 'nested' }, card: '[REDACTED]', ok: '[REDACTED]', list: '[REDACTED]', obj: '[REDACTED]', nil: '[REDACTED]' };
    expect(JSON.parse(e.request.postData.text)).to.deep.equal(expected);
    expect(JSON.parse(e.response.content.text)).to.deep.equal(expected);
  });

  it('applies to +json and JSON-looking bodies without a type, not to other types or base64 bodies', () => {
    const body = '{"pin":"1"}';
    const cases = [
      ['application/vnd.api+json', true],
      ['application/problem+json; charset=utf-8', true],
      ['text/json', true],
      ['', true],
      ['text/plain', false],
    ];
    for (const [mimeType, redacted] of cases) {
      const e = redact({ denylist: ['pin'] }, makeLog({ content: json(body, mimeType) }));
      expect(e.response.content.text, mimeType).to.equal(redacted ? '{"pin":"[REDACTED 1]"}' : body);
    }
    const b64 = Buffer.from(body).toString('base64');
    const e = redact({ denylist: ['pin'] }, makeLog({ content: { text: b64, encoding: 'base64', size: 11, mimeType: 'application/json' } }));
    expect(e.response.content.text).to.equal(b64);
  });

  it('leaves a body with nothing to redact byte-identical, and keeps formatting when it redacts', () => {
    const pretty = '{\n  "a": 1,\n  "big": 12345678901234567890123,\n  "b": [ 1, 2 ]\n}';
    const e = redact({ defaultDenylist: true }, makeLog({ content: json(pretty) }));
    expect(e.response.content.text).to.equal(pretty);
    const withSecret = '{\n  "password": "pw",\n  "big": 12345678901234567890123\n}';
    const e2 = redact({ defaultDenylist: true }, makeLog({ content: json(withSecret) }));
    expect(e2.response.content.text).to.equal('{\n  "password": "[REDACTED 2]",\n  "big": 12345678901234567890123\n}');
  });

  it('redacts default secrets at any depth, in objects and arrays', () => {
    const body = JSON.stringify({ user: { profile: { password: 'p1', name: 'owl' } }, sessions: [{ refresh_token: 'r1', id: 1 }], accessToken: 'a1', max_tokens: 5 });
    const e = redact({ defaultDenylist: true }, makeLog({ content: json(body) }));
    expect(JSON.parse(e.response.content.text)).to.deep.equal({
      user: { profile: { password: '[REDACTED 2]', name: 'owl' } },
      sessions: [{ refresh_token: '[REDACTED 2]', id: 1 }],
      accessToken: '[REDACTED 2]',
      max_tokens: 5,
    });
  });
});

describe('redact: allowlist', () => {
  it('keeps only listed headers, params and top-level JSON keys; the rest keeps its key', () => {
    const body = '{"city":"Paris","street":"1 rue","geo":{"lat":1},"postal_code":75001}';
    const e = redact(
      { allowlist: ['city', 'postal_code', 'content-type'] },
      makeLog({
        url: 'http://api.test/?city=Lyon&user=bob',
        reqHeaders: [
          { name: 'Content-Type', value: 'application/json' },
          { name: 'x-user', value: 'bob' },
          { name: 'Authorization', value: mask('Bearer tok1') },
        ],
        resHeaders: [{ name: 'content-type', value: 'application/json' }],
        postData: { mimeType: 'application/json', text: body },
        content: json(body),
      }),
    );
    expect(e.request.headers).to.deep.equal([
      { name: 'Content-Type', value: 'application/json' },
      { name: 'x-user', value: '[REDACTED 3]' },
      { name: 'Authorization', value: R(mask('Bearer tok1')) },
    ]);
    expect(e.response.headers).to.deep.equal([{ name: 'content-type', value: 'application/json' }]);
    expect(e.request.queryString).to.deep.equal([
      { name: 'city', value: 'Lyon' },
      { name: 'user', value: '[REDACTED 3]' },
    ]);
    expect(e.request.url).to.equal('http://api.test/?city=Lyon&user=%5BREDACTED%203%5D');
    const expected = { city: 'Paris', street: '[REDACTED 5]', geo: '[REDACTED]', postal_code: 75001 };
    expect(JSON.parse(e.request.postData.text)).to.deep.equal(expected);
    expect(JSON.parse(e.response.content.text)).to.deep.equal(expected);
  });

  it('follows dot paths into nested JSON', () => {
    const body = JSON.stringify({ user: { name: 'owl', email: 'o@x', address: { city: 'P' } }, items: [{ id: 1, secretish: 2 }, 'x'] });
    const e = redact({ allowlist: ['user.name', 'user.address', 'items[].id'] }, makeLog({ content: json(body) }));
    expect(JSON.parse(e.response.content.text)).to.deep.equal({
      user: { name: 'owl', email: '[REDACTED 3]', address: { city: 'P' } },
      items: [{ id: 1, secretish: '[REDACTED]' }, '[REDACTED 1]'],
    });
  });

  it('still applies the default denylist inside allowed keys', () => {
    const body = JSON.stringify({ account: { name: 'n', password: 'pw' }, other: 1 });
    const e = redact(
      { allowlist: ['account', 'cookie'], defaultDenylist: true },
      makeLog({ reqHeaders: [{ name: 'cookie', value: 'a=1' }], content: json(body) }),
    );
    expect(JSON.parse(e.response.content.text)).to.deep.equal({ account: { name: 'n', password: '[REDACTED 2]' }, other: '[REDACTED]' });
    expect(e.request.headers[0].value).to.equal('[REDACTED 3]');
  });

  it('is overridden entirely by a denylist', () => {
    const body = '{"city":"Paris","street":"1 rue","pin":"1"}';
    const e = redact({ denylist: ['pin'], allowlist: ['city'] }, makeLog({ content: json(body), reqHeaders: [{ name: 'x-any', value: 'v' }] }));
    expect(JSON.parse(e.response.content.text)).to.deep.equal({ city: 'Paris', street: '1 rue', pin: '[REDACTED 1]' });
    expect(e.request.headers[0].value).to.equal('v');
  });

  it('keeps nothing when no entry is usable (fails closed)', () => {
    const e = redact({ allowlist: ['..'] }, makeLog({ content: json('{"a":"b"}'), reqHeaders: [{ name: 'x-a', value: 'v' }] }));
    expect(e.response.content.text).to.equal('{"a":"[REDACTED 1]"}');
    expect(e.request.headers[0].value).to.equal('[REDACTED 1]');
  });
});

describe('redact: the default denylist', () => {
  it('is exported, documented, and excludes authorization', () => {
    expect(DEFAULT_DENYLIST).to.include.members(['cookie', 'set-cookie', 'password', 'passwd', 'secret', 'client_secret', 'token', 'access_token', 'refresh_token', 'id_token', 'api_key', 'apikey', 'x-api-key', 'private_key', 'card_number', 'cvv']);
    expect(DEFAULT_DENYLIST).to.not.include('authorization');
    expect(Object.isFrozen(DEFAULT_DENYLIST)).to.equal(true);
    expect(DEFAULT_DENYLIST_CONTAINS).to.include('password');
  });

  it('matches spelling variants and compound names, not look-alikes', () => {
    const keys = ['Access-Token', 'accessToken', 'ACCESS_TOKEN', 'newPassword', 'password_confirmation', 'stripe_secret_key', 'x-goog-api-key', 'CVV', 'Card-Number'];
    keys.push('authorization', 'githubAccessToken', 'oauth_token', 'X-Amz-Security-Token', 'Private-Token', 'code_verifier', 'SAMLResponse');
    const harmless = ['max_tokens', 'page_token', 'tokens_used', 'author', 'passenger', 'cookies_enabled_count'];
    harmless.push('code', 'state', 'next_token', 'continuation_token', 'signature', 'x-amz-credential', 'token_type', 'expires_in', 'scope');
    const body = JSON.stringify(Object.fromEntries([...keys, ...harmless].map((k) => [k, 'v'])));
    const out = JSON.parse(redact({ defaultDenylist: true }, makeLog({ content: json(body) })).response.content.text);
    for (const k of keys) expect(out[k], k).to.equal('[REDACTED 1]');
    for (const k of harmless) expect(out[k], k).to.equal('v');
  });

  it('is off with defaultDenylist: false, and the redactor then changes nothing', () => {
    const log = makeLog({ url: 'http://a.test/?token=t', reqHeaders: [{ name: 'cookie', value: 'c' }], content: json('{"password":"p"}') });
    const before = JSON.stringify(log);
    createRedactor({ defaultDenylist: false })(log);
    expect(JSON.stringify(log)).to.equal(before);
  });

  it('is reusable: one redactor, many logs, no state carried between them', () => {
    const r = createRedactor({ denylist: ['pin', '**.deep'], defaultDenylist: true });
    for (let i = 0; i < 3; i++) {
      const log = makeLog({ url: `http://a.test/?pin=${i}`, content: json(`{"a":{"deep":${i}},"pin":"${i}"}`) });
      r(log);
      expect(entry(log).response.content.text).to.equal('{"a":{"deep":"[REDACTED]"},"pin":"[REDACTED 1]"}');
      expect(entry(log).request.url).to.equal('http://a.test/?pin=%5BREDACTED%201%5D');
    }
  });
});
