// secretScan's formats one by one: every secret in the corpus is found whole, wherever it sits in a text,
// a JSON body or a URL, and replaced by "[REDACTED <n>]"; every near-miss is left byte for byte.
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { NEAR_MISSES, SECRETS } from '../helpers/secret-corpus.mjs';

const require = createRequire(import.meta.url);
const { redactSecrets, findSecrets, Written } = require('../../dist/redact/secrets.js');
const { redactUrlSecrets } = require('../../dist/redact/secrets-url.js');
const { createRedactor } = require('../../dist/redact/index.js');

const R = (s) => `[REDACTED ${s.length}]`;

describe('secretScan: formats', () => {
  for (const [name, secret] of Object.entries(SECRETS)) {
    it(`finds ${name} whole, alone and inside text`, () => {
      expect(redactSecrets(secret), 'alone').to.equal(R(secret));
      for (const [before, after] of [
        ['token: ', ' (expires soon)'],
        ['Bearer ', ''],
        ['key=', '&next=1'],
        ['"', '"'],
        ['(', ')'],
        ['first line\n', '\nlast line'],
      ]) {
        // A key cut off before its END line runs to the end of its base64: the text must not go on in words.
        if (name === 'pem-truncated' && /^\n\w/.test(after)) continue;
        expect(redactSecrets(`${before}${secret}${after}`), JSON.stringify(before)).to.equal(`${before}${R(secret)}${after}`);
      }
    });
  }

  it('finds several secrets of different formats in one text, each with its own length', () => {
    const names = ['jwt-hs256', 'aws-akia', 'card-visa-spaced', 'github-ghp', 'pem-ec', 'slack-bot'];
    const text = names.map((n, i) => `field${i}=${SECRETS[n]};`).join(' ');
    expect(redactSecrets(text)).to.equal(names.map((n, i) => `field${i}=${R(SECRETS[n])};`).join(' '));
  });

  it('keeps the full stop after a JWT at the end of a sentence', () => {
    const jwt = SECRETS['jwt-hs256'];
    expect(redactSecrets(`the token was ${jwt}.`)).to.equal(`the token was ${R(jwt)}.`);
  });

  it('takes a PEM key through its END line only, and a truncated one to the end of its body', () => {
    const key = SECRETS['pem-rsa'];
    expect(redactSecrets(`${key}\nand then some prose.`)).to.equal(`${R(key)}\nand then some prose.`);
    const cut = SECRETS['pem-truncated'];
    expect(redactSecrets(`key: ${cut}`)).to.equal(`key: ${R(cut)}`);
  });
});

describe('secretScan: near-misses', () => {
  for (const value of NEAR_MISSES) {
    it(`leaves ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)} alone`, () => {
      expect(findSecrets(value)).to.deep.equal([]);
      expect(redactSecrets(value)).to.equal(undefined);
      expect(redactSecrets(`{"v":${JSON.stringify(value)}}`, Written.Json)).to.equal(undefined);
    });
  }

  it('leaves a text made of every near-miss alone', () => {
    const text = NEAR_MISSES.join('\n');
    expect(redactSecrets(text)).to.equal(undefined);
    expect(redactSecrets(JSON.stringify({ values: NEAR_MISSES }), Written.Json)).to.equal(undefined);
  });
});

describe('secretScan: JSON text', () => {
  it('redacts inside string values at any depth, keeping every other byte', () => {
    const jwt = SECRETS['jwt-hs256'];
    const text = `{ "id": 12345678901234567890, "data" : { "list": [1, "${jwt}", true] },\n  "note": "AKIA? no" }`;
    expect(redactSecrets(text, Written.Json)).to.equal(text.replace(jwt, R(jwt)));
  });

  it('counts the decoded length of a secret written with escapes (a PEM key with \\n)', () => {
    const key = SECRETS['pem-pkcs8'];
    const text = JSON.stringify({ key });
    expect(JSON.parse(redactSecrets(text, Written.Json))).to.deep.equal({ key: R(key) });
    const cut = JSON.stringify({ key: `${key}` }).slice(0, 90); // a body truncated inside the key
    expect(redactSecrets(cut, Written.Json)).to.equal(`{"key":"[REDACTED ${JSON.parse(`${cut}"}`).key.length}]`);
  });

  it('sees a token right after an escape (\\n, \\t) as starting a word', () => {
    const gh = SECRETS['github-ghp'];
    const text = JSON.stringify({ log: `line one\n${gh}\tnext` });
    expect(JSON.parse(redactSecrets(text, Written.Json)).log).to.equal(`line one\n${R(gh)}\tnext`);
  });

  it('leaves bare JSON numbers alone (ids, amounts), and redacts the same digits in a string', () => {
    const text = '{"n":4111111111111111,"list":[5555555555554444,378282246310005],"s":"4111111111111111"}';
    expect(redactSecrets(text, Written.Json)).to.equal('{"n":4111111111111111,"list":[5555555555554444,378282246310005],"s":"[REDACTED 16]"}');
    expect(redactSecrets('[4111111111111111]', Written.Json)).to.equal(undefined);
  });

  it('does not count quotes of a string it has passed as opening one (escaped quotes)', () => {
    const text = '{"a":"say \\"hi\\" 4111111111111111","n":4111111111111111}';
    expect(JSON.parse(redactSecrets(text, Written.Json))).to.deep.equal({ a: 'say "hi" [REDACTED 16]', n: 4111111111111111 });
  });
});

describe('secretScan: URLs and urlencoded text', () => {
  it('redacts a token in a path segment and in a query value, percent-encoding the replacement', () => {
    const gh = SECRETS['github-ghp'];
    const aws = SECRETS['aws-akia'];
    const url = `https://api.example.com/hooks/${gh}/run?q=${aws}&page=2#top`;
    const out = redactUrlSecrets(url);
    expect(out).to.equal(`https://api.example.com/hooks/%5BREDACTED%2040%5D/run?q=%5BREDACTED%2020%5D&page=2#top`);
    expect(new URL(out).searchParams.get('q')).to.equal(R(aws));
  });

  it('decodes pieces with escapes: a card with %20 or + between its groups', () => {
    expect(redactUrlSecrets('http://h/pay?note=4111%201111%201111%201111&x=1')).to.equal('http://h/pay?note=%5BREDACTED%2019%5D&x=1');
    expect(redactUrlSecrets('http://h/pay?note=4111+1111+1111+1111')).to.equal('http://h/pay?note=%5BREDACTED%2019%5D');
    expect(redactUrlSecrets('note=4111+1111+1111+1111&a=b', true)).to.equal('note=%5BREDACTED%2019%5D&a=b');
    expect(redactUrlSecrets('http://h/a+b/4111+1111?x=%E2%82%AC')).to.equal(undefined);
  });

  it('leaves URLs without secrets untouched, even with malformed escapes', () => {
    for (const url of ['http://h/users/42?page=2', 'http://h/a%zz/b?c=%', 'http://h/?q=a+b+c', 'http://h/f47ac10b-58cc-4372-a567-0e02b2c3d479']) {
      expect(redactUrlSecrets(url), url).to.equal(undefined);
    }
  });
});

describe('secretScan: in the redactor', () => {
  const jwt = SECRETS['jwt-hs256'];
  const card = SECRETS['card-visa'];
  const makeLog = () => ({
    request: {
      log: {
        entries: [
          {
            pageref: `http://h/t/${SECRETS['github-ghs']}`,
            request: {
              url: `http://h/t/${SECRETS['github-ghs']}?q=${SECRETS['aws-asia']}`,
              headers: [
                { name: 'Authorization', value: 'sha512-abc?1111' },
                { name: 'X-Upstream', value: `Bearer ${jwt}` },
                { name: 'Referer', value: `http://h/?k=${SECRETS['google-api-key']}` },
              ],
              queryString: [{ name: 'q', value: SECRETS['aws-asia'] }],
              cookies: [{ name: 'c', value: SECRETS.npm }],
              postData: { mimeType: 'multipart/form-data; boundary=x', params: [{ name: 'note', value: card }, { name: 'f', fileName: '.env', contentType: 'text/plain', value: `data:text/plain;name=.env;base64,${Buffer.from(`TOKEN=${SECRETS['stripe-sk-live']}\n`).toString('base64')}` }] },
            },
            response: { headers: [{ name: 'Location', value: `/next?t=${SECRETS['gitlab-pat']}` }], cookies: [], redirectURL: `/next?t=${SECRETS['gitlab-pat']}`, content: { mimeType: 'text/plain', text: `your key: ${SECRETS['pem-openssh']}` } },
          },
        ],
      },
    },
  });

  it('runs after the key rules on every place a value leaves, and leaves the masked Authorization alone', () => {
    const log = makeLog();
    createRedactor({ defaultDenylist: true })(log);
    const text = JSON.stringify(log);
    for (const name of ['github-ghs', 'aws-asia', 'google-api-key', 'npm', 'gitlab-pat', 'pem-openssh', 'jwt-hs256', 'card-visa']) {
      expect(text.includes(SECRETS[name]), name).to.equal(false);
    }
    const e = log.request.log.entries[0];
    expect(e.request.headers[0].value).to.equal('sha512-abc?1111');
    expect(e.request.headers[1].value).to.equal(`Bearer ${R(jwt)}`);
    expect(e.request.postData.params[0].value).to.equal(R(card));
    const file = Buffer.from(e.request.postData.params[1].value.split(',')[1], 'base64').toString();
    expect(file).to.equal(`TOKEN=${R(SECRETS['stripe-sk-live'])}\n`);
    expect(e.response.content.text).to.equal(`your key: ${R(SECRETS['pem-openssh'])}`);
  });

  it('is off with secretScan: false', () => {
    const log = makeLog();
    createRedactor({ defaultDenylist: false, secretScan: false })(log);
    expect(log).to.deep.equal(makeLog());
  });
});

describe('secretScan: texts crafted full of candidates', () => {
  // Before runs were measured once per run, "eyJ-eyJ-..." or "sk-sk-..." cost a pass over the rest of the
  // text per candidate: about 80 s for 256 KB. Linear now: well under a second; the bound is generous.
  const SIZE = 256 * 1024;
  const crafted = {
    'JWT starts': 'eyJ-',
    'OpenAI prefixes': 'sk-',
    'Slack prefixes': 'xoxb-',
    'GitLab prefixes': 'glpat-',
    'GitHub prefixes': 'ghp_',
    'fine-grained prefixes': 'github_pat_',
    'PEM headers': '-----BEGIN PRIVATE KEY-----',
    'card groups': '4111-1111-',
    'PEM body of capitals': `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(300)}`,
    'PEM header lines': '-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nProc-Type',
    'JWT headers without a payload': 'eyJhbGciOiJIUzI1NiJ9.',
  };
  for (const [name, unit] of Object.entries(crafted)) {
    it(`scans 256 KB of ${name} in linear time`, () => {
      const text = unit.repeat(Math.ceil(SIZE / unit.length));
      const started = process.hrtime.bigint();
      findSecrets(text);
      findSecrets(JSON.stringify({ v: text }));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(ms, `${ms.toFixed(0)} ms`).to.be.below(5000);
    });
  }
});
