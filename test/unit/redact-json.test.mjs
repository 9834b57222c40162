// The JSON side of redaction: the entry syntax (plain keys, dot paths, *, **, items[]), key case,
// and the text scanner on input that JSON.parse would refuse (truncated, NDJSON, sloppy, hostile).
import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { redactJsonText } = require('../../dist/redact/json.js');
const { Policy } = require('../../dist/redact/policy.js');

/** The redacted text parsed back (or the input, when nothing was redacted). */
function run(opts, value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const out = redactJsonText(text, new Policy({ defaultDenylist: false, ...opts }));
  return out === undefined ? text : out;
}
const deny = (denylist, value) => JSON.parse(run({ denylist }, value));

describe('redact JSON: entry syntax', () => {
  const doc = {
    password: 'top',
    user: { password: 'nested', profile: { password: 'deeper' } },
    list: [{ password: 'in-array' }],
  };

  it('a plain key matches top-level keys only (the seeds: "JSON is only checked at the top level")', () => {
    expect(deny(['password'], doc)).to.deep.equal({ ...doc, password: '[REDACTED 3]' });
  });

  it('a plain key also matches the keys of objects in a top-level array (list bodies)', () => {
    expect(deny(['pin'], [{ pin: 'a' }, { pin: 'bb', x: { pin: 'c' } }, 'pin'])).to.deep.equal([{ pin: '[REDACTED 1]' }, { pin: '[REDACTED 2]', x: { pin: 'c' } }, 'pin']);
  });

  it('a dot path matches one nested key', () => {
    expect(deny(['user.password'], doc)).to.deep.equal({ ...doc, user: { password: '[REDACTED 6]', profile: { password: 'deeper' } } });
    expect(deny(['user.profile.password'], doc).user.profile.password).to.equal('[REDACTED 6]');
    expect(deny(['user.missing.password'], doc)).to.deep.equal(doc);
  });

  it('* matches exactly one key or array index', () => {
    expect(deny(['*.password'], doc)).to.deep.equal({ ...doc, user: { ...doc.user, password: '[REDACTED 6]' } });
    expect(deny(['list.*.password'], doc).list).to.deep.equal([{ password: '[REDACTED 8]' }]);
    expect(deny(['*'], { a: 1, b: 'xy' })).to.deep.equal({ a: '[REDACTED]', b: '[REDACTED 2]' });
  });

  it('** matches any depth, including none', () => {
    expect(deny(['**.password'], doc)).to.deep.equal({
      password: '[REDACTED 3]',
      user: { password: '[REDACTED 6]', profile: { password: '[REDACTED 6]' } },
      list: [{ password: '[REDACTED 8]' }],
    });
    expect(deny(['user.**.password'], doc)).to.deep.equal({ ...doc, user: { password: '[REDACTED 6]', profile: { password: '[REDACTED 6]' } } });
    expect(deny(['user.**'], doc)).to.deep.equal({ ...doc, user: '[REDACTED]' });
  });

  it('items[].token matches token in every element of items; items[1] one element', () => {
    const body = { items: [{ token: 'a' }, { token: 'bb' }, { other: 1 }], token: 'top' };
    expect(deny(['items[].token'], body)).to.deep.equal({ items: [{ token: '[REDACTED 1]' }, { token: '[REDACTED 2]' }, { other: 1 }], token: 'top' });
    expect(deny(['items[1].token'], body).items.map((i) => i.token)).to.deep.equal(['a', '[REDACTED 2]', undefined]);
    expect(deny(['items[]'], body).items).to.deep.equal(['[REDACTED]', '[REDACTED]', '[REDACTED]']);
    expect(deny(['m[][]'], { m: [[1, 'ab'], 2] }).m).to.deep.equal([['[REDACTED]', '[REDACTED 2]'], 2]);
  });

  it('JSON keys are case-sensitive', () => {
    expect(deny(['Password'], { password: 'a', Password: 'b' })).to.deep.equal({ password: 'a', Password: '[REDACTED 1]' });
  });

  it('redacts a key wherever several entries reach it, and only once', () => {
    expect(run({ denylist: ['a', '*', '**.a', 'a.**'] }, '{"a":{"a":1}}')).to.equal('{"a":"[REDACTED]"}');
  });

  it('ignores empty segments and entries', () => {
    expect(deny(['', ' ', 'user..password', '.pin'], { pin: 1, user: { password: 'x' } })).to.deep.equal({ pin: '[REDACTED]', user: { password: '[REDACTED 1]' } });
  });
});

describe('redact JSON: the text scanner', () => {
  it('counts the decoded length of escaped strings and matches escaped keys', () => {
    expect(run({ denylist: ['pin'] }, '{"pin":"a\\"b\\u00e9\\n"}')).to.equal('{"pin":"[REDACTED 5]"}');
    expect(run({ denylist: ['pin'] }, '{"p\\u0069n":"1"}')).to.equal('{"p\\u0069n":"[REDACTED 1]"}');
    expect(run({ denylist: ['pin'] }, '{"pin":"\\\\"}')).to.equal('{"pin":"[REDACTED 1]"}');
    expect(run({ denylist: ['pin'] }, '{"pin":"😀"}')).to.equal('{"pin":"[REDACTED 2]"}');
  });

  it('redacts every duplicate of a key, and __proto__ like any other key', () => {
    expect(run({ denylist: ['pin', '__proto__'] }, '{"pin":"a","pin":"bb","__proto__":{"x":1}}')).to.equal('{"pin":"[REDACTED 1]","pin":"[REDACTED 2]","__proto__":"[REDACTED]"}');
  });

  it('keeps numbers, whitespace and everything not redacted exactly as written', () => {
    const text = '{ "n" : 1.50e+3 , "big":123456789012345678901234567890,\n\t"pin" :\t"x" }';
    expect(run({ denylist: ['pin'] }, text)).to.equal('{ "n" : 1.50e+3 , "big":123456789012345678901234567890,\n\t"pin" :\t"[REDACTED 1]" }');
  });

  it('redacts a body truncated in the middle of a secret (string, object, key)', () => {
    expect(run({ denylist: ['pin'] }, '{"a":1,"pin":"12')).to.equal('{"a":1,"pin":"[REDACTED 2]"');
    expect(run({ denylist: ['pin'] }, '{"pin":"1\\')).to.equal('{"pin":"[REDACTED 1]"');
    expect(run({ denylist: ['pin'] }, '{"pin":{"x":[1,"sec')).to.equal('{"pin":"[REDACTED]"');
    expect(run({ defaultDenylist: true }, '{"a":{"b":[{"password":"hunt')).to.equal('{"a":{"b":[{"password":"[REDACTED 4]"');
    expect(run({ denylist: ['pin'] }, '{"pin":"ab\\u00')).to.equal('{"pin":"[REDACTED 2]"');
    expect(run({ denylist: ['pin'] }, '{"pi')).to.equal('{"pi');
  });

  it('redacts every document of NDJSON', () => {
    expect(run({ denylist: ['pin'] }, '{"pin":"1"}\n{"pin":"22"}\n[{"pin":3}]\n')).to.equal('{"pin":"[REDACTED 1]"}\n{"pin":"[REDACTED 2]"}\n[{"pin":"[REDACTED]"}]\n');
  });

  it('copes with sloppy JSON: unquoted keys, missing values, stray brackets', () => {
    expect(run({ denylist: ['pin'] }, '{pin: 12, b: 2}')).to.equal('{pin: "[REDACTED]", b: 2}');
    expect(run({ denylist: ['pin'] }, '{"pin":,"x":1}')).to.equal('{"pin":,"x":1}');
    expect(run({ denylist: ['pin'] }, ']]}{"pin":"a"}')).to.equal(']]}{"pin":"[REDACTED 1]"}');
    expect(run({ denylist: ['pin'] }, '"just a string"')).to.equal('"just a string"');
  });

  it('stays right past its caches: many distinct keys, long arrays, long keys, one policy reused', () => {
    const policy = new Policy({ denylist: ['items[].token', '**.k4999', 'items[3].x'], defaultDenylist: true });
    const once = (value) => JSON.parse(redactJsonText(JSON.stringify(value), policy) ?? JSON.stringify(value));
    for (let round = 0; round < 2; round++) {
      const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
      wide[`${'p'.repeat(200)}password`] = 'long';
      const out = once({ wide, items: Array.from({ length: 1000 }, (_, i) => ({ token: `t${i}`, x: i })) });
      expect(out.wide.k4998).to.equal(4998);
      expect(out.wide.k4999).to.equal('[REDACTED]');
      expect(out.wide[`${'p'.repeat(200)}password`]).to.equal('[REDACTED 4]');
      expect(out.items.every((it, i) => it.token === `[REDACTED ${`t${i}`.length}]`)).to.equal(true);
      expect(out.items.filter((it) => it.x === '[REDACTED]').length).to.equal(1);
      expect(out.items[3].x).to.equal('[REDACTED]');
    }
  });

  it('survives very deep nesting without recursion', () => {
    const deep = `${'['.repeat(200_000)}{"pin":"x"}${']'.repeat(200_000)}`;
    expect(run({ denylist: ['**.pin'] }, deep)).to.equal(deep.replace('"x"', '"[REDACTED 1]"'));
  });

  it('never throws and always ends, whatever the text', () => {
    const policy = new Policy({ denylist: ['a', '**.b', 'c[].d'], defaultDenylist: true });
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', ' ', 'a', 'b', 'password', '1', 'u') , maxLength: 60 }), (s) => {
        const out = redactJsonText(s, policy);
        expect(out === undefined || typeof out === 'string').to.equal(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('redact JSON: keys ruled out in place (the default denylist)', () => {
  const policy = new Policy({ defaultDenylist: true });
  const { defaultKeyFilter } = require('../../dist/redact/key-filter.js');
  const { defaultDenied } = require('../../dist/redact/defaults.js');
  const mayBeDenied = defaultKeyFilter();
  const denied = defaultDenied();
  const { DEFAULT_DENYLIST, DEFAULT_DENYLIST_CONTAINS, DEFAULT_DENYLIST_FIELDS, DEFAULT_DENYLIST_SUFFIXES } = require('../../dist/redact/defaults.js');
  const words = [...DEFAULT_DENYLIST, ...DEFAULT_DENYLIST_FIELDS, ...DEFAULT_DENYLIST_SUFFIXES, ...DEFAULT_DENYLIST_CONTAINS];
  const anywhere = [...DEFAULT_DENYLIST_CONTAINS, ...DEFAULT_DENYLIST_SUFFIXES];

  /** A denied word spelled the ways normalizeKey folds: any case, `-`/`_` anywhere, letters as \u escapes. */
  const spelled = fc
    .tuple(fc.constantFrom(...words), fc.array(fc.tuple(fc.boolean(), fc.constantFrom('', '', '-', '_', '__'), fc.integer({ min: 0, max: 5 })), { maxLength: 40 }))
    .map(([word, choices]) => ({
      word,
      key: [...word.replace(/[-_]/g, '')]
        .map((ch, i) => {
          const [upper, sep, escape] = choices[i] ?? [false, '', 1];
          const letter = upper ? ch.toUpperCase() : ch;
          return (escape === 0 ? `\\u${letter.charCodeAt(0).toString(16).padStart(4, '0')}` : letter) + sep;
        })
        .join(''),
    }));

  it('never rules out a key that holds a denied word, however it is spelled', () => {
    fc.assert(
      fc.property(spelled, fc.string({ maxLength: 8 }), fc.constantFrom('new_', 'x-', ''), ({ word, key }, value, prefix) => {
        // Only the stems and the endings are denied after a prefix.
        const name = anywhere.includes(word) ? prefix + key : key;
        const text = `{"items":[{"id":1}],"${name}":${JSON.stringify(value)}}`;
        const at = text.indexOf(`"${name}"`);
        expect(policy.needsJudging(text, at, at + name.length + 2), text).to.equal(true);
        expect(redactJsonText(text, policy), text).to.be.a('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('rules out a key only when the default denylist does not name it', () => {
    // Capitals, separators, escapes, and non-ASCII letters that lower-case to ASCII (the Kelvin sign, dotted I).
    const unit = fc.constantFrom('a', 'id', 'token', 'Pass', 'word', '_', '-', 'ssn', 'x', 'TO', 'ken', '\\u0070', '\u212a', '\u0130', 'é', '1', ' ', '.');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (key) => {
        if (!mayBeDenied(key, 0, key.length)) expect(denied(JSON.parse(`"${key}"`)), key).to.equal(false);
      }),
      { numRuns: 5000 },
    );
    const kelvin = 'to\u212Aen'; // toLowerCase() makes it "token"
    expect(denied(kelvin)).to.equal(true);
    expect(mayBeDenied(kelvin, 0, kelvin.length)).to.equal(true);
  });

  it('rules out every key of an ordinary body, so none is sliced out and looked up', () => {
    const body = JSON.stringify({ items: [{ id: 1, name: 'Widget', price_cents: 300, tags: ['a'], created_at: 'x' }] });
    for (const key of ['"items"', '"id"', '"name"', '"price_cents"', '"tags"', '"created_at"']) {
      const at = body.indexOf(key);
      expect(policy.needsJudging(body, at, at + key.length), key).to.equal(false);
    }
    expect(new Policy({ denylist: ['name'], defaultDenylist: true }).needsJudging(body, 2, 9)).to.equal(true);
    expect(redactJsonText(body, policy)).to.equal(undefined);
  });
});
