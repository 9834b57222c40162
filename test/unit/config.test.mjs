import { expect } from 'chai';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { resolveConfig } = require('../../dist/config/resolve.js');
const { OPTIONS } = require('../../dist/config/options.js');
const p = require('../../dist/config/parse.js');

describe('config: parsing', () => {
  it('accepts every documented boolean spelling', () => {
    for (const v of ['true', '1', 'yes', 'TRUE', ' Yes ']) expect(p.parseBoolean(v)).to.equal(true);
    for (const v of ['false', '0', 'no', 'No']) expect(p.parseBoolean(v)).to.equal(false);
    expect(() => p.parseBoolean('maybe')).to.throw('true/false/1/0/yes/no');
  });
  it('parses lists from commas or arrays', () => {
    expect(p.parseStringList('a, b ,,c')).to.deep.equal(['a', 'b', 'c']);
    expect(p.parseStringList(['x', ' y '])).to.deep.equal(['x', 'y']);
    expect(() => p.parseStringList([1])).to.throw();
  });
  it('validates numbers, ratios and URLs', () => {
    expect(p.parseSeconds('2.5')).to.equal(2.5);
    expect(() => p.parseSeconds('soon')).to.throw('seconds > 0');
    expect(() => p.parsePositiveInteger('1.5')).to.throw('whole number');
    expect(p.parseRatio('0.25')).to.equal(0.25);
    expect(() => p.parseRatio(2)).to.throw('0 to 1');
    expect(p.parseUrl('http://127.0.0.1:9/')).to.equal('http://127.0.0.1:9');
    expect(() => p.parseUrl('ftp://x')).to.throw('http(s) URL');
  });
  it('pattern lists keep RegExps', () => {
    const re = /^\/health/;
    expect(p.parsePatternList(['/a', re])).to.deep.equal(['/a', re]);
  });
});

describe('config: resolution', () => {
  it('has the contract defaults', () => {
    const { config, problems } = resolveConfig(undefined, {});
    expect(problems).to.deep.equal([]);
    expect(config).to.include({ bufferLength: 10, development: false, backgroundWorkerMode: true, timeout: 3, metricsServer: 'https://metrics.readme.io', readmeApiUrl: 'https://dash.readme.com/api' });
    expect(config.apiKey).to.equal(undefined);
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('environment > config file > defaults, for every option with a variable', () => {
    for (const spec of OPTIONS.filter((o) => o.env)) {
      const { config, sources } = resolveConfig({}, {});
      expect(sources[spec.key]).to.equal('default');
      expect(config[spec.key]).to.deep.equal(spec.default);
    }
    const file = { bufferLength: 5, timeout: 7, development: true, denylist: ['a'] };
    const env = { README_BUFFER_LENGTH: '20', README_DEVELOPMENT_MODE: 'no' };
    const { config, sources } = resolveConfig(file, env);
    expect(config.bufferLength).to.equal(20);
    expect(sources.bufferLength).to.equal('env');
    expect(config.development).to.equal(false);
    expect(config.timeout).to.equal(7);
    expect(sources.timeout).to.equal('file');
    expect(config.denylist).to.deep.equal(['a']);
  });

  it('names the setting, the value and what is used instead when a value is bad', () => {
    const { config, problems } = resolveConfig({ timeout: 5 }, { README_TIMEOUT: 'soon', README_BUFFER_LENGTH: '0', README_SAMPLE_RATE: '3' });
    expect(problems).to.include('README_TIMEOUT must be a number of seconds > 0, got "soon"; using 5');
    expect(problems).to.include('README_BUFFER_LENGTH must be a whole number > 0, got "0"; using the default 10');
    expect(problems).to.include('README_SAMPLE_RATE must be a number from 0 to 1, got "3"; using the default 1');
    expect(config.timeout).to.equal(5);
    expect(config.bufferLength).to.equal(10);
  });

  it('takes the seed-era blacklist/whitelist names with a deprecation note', () => {
    const { config, problems } = resolveConfig({ blacklist: ['password'], whitelist: ['city'] }, {}, 'readme-metrics.config.ts');
    expect(config.denylist).to.deep.equal(['password']);
    expect(config.allowlist).to.deep.equal(['city']);
    expect(problems).to.include('blacklist in readme-metrics.config.ts is deprecated; use denylist');
  });

  it('reports unknown keys and wrong types in the file', () => {
    const { problems } = resolveConfig({ bufferLenght: 3, groupingFunction: 'nope' }, {}, 'x.ts');
    expect(problems).to.include('unknown option bufferLenght in x.ts (ignored)');
    expect(problems).to.include('groupingFunction in x.ts must be a function, got "nope"; using nothing');
  });

  it('documents an environment variable for every option but the functions', () => {
    expect(OPTIONS.filter((o) => !o.env).map((o) => o.key)).to.deep.equal(['groupingFunction', 'getUserByEmail']);
    for (const o of OPTIONS.filter((x) => x.env)) expect(o.env).to.match(/^README_[A-Z_]+$/);
  });
});

// A value each kind of option cannot take, from the environment and from the file.
const BAD = {
  boolean: ['maybe', 'maybe'],
  'whole number > 0': ['x', 0],
  'milliseconds > 0': ['-5', -5],
  'bytes >= 0': ['-1', -1],
  'bytes > 0': ['0', 0],
  'seconds > 0': ['soon', 'soon'],
  '0..1': ['2', 2],
  URL: ['not a url', 'ftp://x'],
  string: ['   ', 42],
  function: [undefined, 'not a function'],
  'list of keys': [undefined, 7],
  'list of hosts': [undefined, 7],
  'list of methods': [undefined, 7],
  'list of paths': [undefined, 7],
  'gzip or none': ['brotli', true],
  'path starting with /': ['readme-webhook', '/hook?x=1'],
};

describe('config: every bad value of every option', () => {
  for (const spec of OPTIONS) {
    it(`${spec.key}: a bad value is reported with its name and the default is kept`, () => {
      const [envBad, fileBad] = BAD[spec.expected];
      const fromFile = resolveConfig({ [spec.key]: fileBad }, {}, 'readme-metrics.config.ts');
      expect(fromFile.problems.join('\n')).to.include(`${spec.key} in readme-metrics.config.ts must be`);
      expect(fromFile.config[spec.key]).to.deep.equal(spec.default);
      if (spec.env && envBad !== undefined) {
        const fromEnv = resolveConfig(undefined, { [spec.env]: envBad });
        expect(fromEnv.problems).to.have.length(1);
        expect(fromEnv.problems[0]).to.match(new RegExp(`^${spec.env} must be .+, got ${JSON.stringify(envBad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; using`));
        expect(fromEnv.config[spec.key]).to.deep.equal(spec.default);
      }
    });
  }
});
