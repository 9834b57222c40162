// verifyWebhook against hand-made signatures: valid, expired, tampered, wrong secret, malformed, missing.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { verifyWebhook, WebhookVerificationError } = require('../../dist/index.js');

const SECRET = 'whsec_test_4321';
const BODY = '{"email":"owl@example.com","readmeProject":"owlbert"}';
const MIN = 60_000;

function sign(body, { secret = SECRET, t = Date.now() } = {}) {
  return `t=${t},v0=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function failure(fn) {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(WebhookVerificationError);
    expect(err).to.be.instanceOf(Error);
    expect(err.name).to.equal('WebhookVerificationError');
    return err;
  }
  throw new Error('expected verifyWebhook to throw');
}

describe('verifyWebhook', () => {
  it('accepts a fresh signature over the raw string and returns the parsed body', () => {
    expect(verifyWebhook(BODY, sign(BODY), SECRET)).to.deep.equal(JSON.parse(BODY));
  });

  it('accepts the raw body as a Buffer or Uint8Array, byte for byte', () => {
    const body = '{"name":"Owlbert ✓"}';
    expect(verifyWebhook(Buffer.from(body), sign(body), SECRET)).to.deep.equal({ name: 'Owlbert ✓' });
    expect(verifyWebhook(new Uint8Array(Buffer.from(body)), sign(body), SECRET)).to.deep.equal({ name: 'Owlbert ✓' });
  });

  it('accepts an already parsed body (signed as its JSON.stringify) and returns it', () => {
    const obj = JSON.parse(BODY);
    expect(verifyWebhook(obj, sign(JSON.stringify(obj)), SECRET)).to.equal(obj);
  });

  it('accepts a header with spaces, any order, several v0 values, and an array of headers', () => {
    const t = Date.now();
    const good = sign(BODY, { t }).split(',')[1];
    const other = sign(BODY, { t, secret: 'old' }).split(',')[1];
    expect(verifyWebhook(BODY, ` ${other} , t=${t} ,${good}`, SECRET)).to.deep.equal(JSON.parse(BODY));
    expect(verifyWebhook(BODY, [sign(BODY)], SECRET)).to.deep.equal(JSON.parse(BODY));
  });

  it('accepts a signature up to 30 minutes old', () => {
    expect(verifyWebhook(BODY, sign(BODY, { t: Date.now() - 29 * MIN }), SECRET)).to.deep.equal(JSON.parse(BODY));
  });

  it('rejects an expired signature (older than 30 minutes), even when it matches', () => {
    const err = failure(() => verifyWebhook(BODY, sign(BODY, { t: Date.now() - 31 * MIN }), SECRET));
    expect(err.code).to.equal('EXPIRED_SIGNATURE');
    expect(err.message).to.match(/^Expired signature/);
  });

  it('rejects a timestamp far in the future', () => {
    expect(failure(() => verifyWebhook(BODY, sign(BODY, { t: Date.now() + 31 * MIN }), SECRET)).code).to.equal('EXPIRED_SIGNATURE');
  });

  it('rejects a tampered body', () => {
    const err = failure(() => verifyWebhook(BODY.replace('owlbert', 'eve'), sign(BODY), SECRET));
    expect(err.code).to.equal('INVALID_SIGNATURE');
    expect(err.message).to.match(/^Invalid signature/);
  });

  it('rejects a re-serialized body that differs from the bytes signed', () => {
    const spaced = '{ "a": 1 }';
    expect(failure(() => verifyWebhook(JSON.parse(spaced), sign(spaced), SECRET)).code).to.equal('INVALID_SIGNATURE');
  });

  it('rejects a wrong secret', () => {
    expect(failure(() => verifyWebhook(BODY, sign(BODY, { secret: 'someone-else' }), SECRET)).code).to.equal('INVALID_SIGNATURE');
  });

  it('rejects a signature whose timestamp was changed', () => {
    const t = Date.now() - 1000;
    const v0 = sign(BODY, { t }).split(',')[1];
    expect(failure(() => verifyWebhook(BODY, `t=${t + 1},${v0}`, SECRET)).code).to.equal('INVALID_SIGNATURE');
  });

  const malformed = {
    'no key=value pairs': () => 'garbage',
    'no timestamp': () => `v0=${'a'.repeat(64)}`,
    'no v0': () => `t=${Date.now()}`,
    'a timestamp that is not a number': () => `t=soon,v0=${'a'.repeat(64)}`,
    'a v0 that is not hex': () => `t=${Date.now()},v0=zz${'a'.repeat(62)}`,
    'a v0 of the wrong length': () => `t=${Date.now()},v0=${'a'.repeat(63)}`,
    'only an unknown scheme': () => `t=${Date.now()},v1=${'a'.repeat(64)}`,
  };
  for (const [what, header] of Object.entries(malformed)) {
    it(`rejects a malformed header: ${what}`, () => {
      const err = failure(() => verifyWebhook(BODY, header(), SECRET));
      expect(err.code).to.equal('MALFORMED_SIGNATURE');
      expect(err.message).to.match(/^Malformed readme-signature header/);
    });
  }

  for (const header of [undefined, null, '', '   ', []]) {
    it(`rejects a missing header (${JSON.stringify(header)})`, () => {
      const err = failure(() => verifyWebhook(BODY, header, SECRET));
      expect(err.code).to.equal('MISSING_SIGNATURE');
      expect(err.message).to.match(/^Missing signature/);
    });
  }

  it('rejects a missing secret with a clear message', () => {
    expect(failure(() => verifyWebhook(BODY, sign(BODY), '')).code).to.equal('MISSING_SECRET');
    expect(failure(() => verifyWebhook(BODY, sign(BODY), undefined)).code).to.equal('MISSING_SECRET');
  });

  it('rejects a correctly signed body that is not JSON', () => {
    expect(failure(() => verifyWebhook('not json', sign('not json'), SECRET)).code).to.equal('INVALID_BODY');
  });
});
