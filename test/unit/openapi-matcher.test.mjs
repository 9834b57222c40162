// Our matcher against ReadMe's own `oas` (Oas#findOperation) on the same definitions and URLs: the
// SDK does not load `oas` (40 packages), so this is what keeps it faithful.
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FIXTURES, ROOT } from '../helpers/harness.mjs';

const require = createRequire(import.meta.url);
const Oas = require('oas');
const { OperationMatcher, readDefinition } = require('../../dist/openapi/index.js');
const { fromDocument } = require('../../dist/openapi/definition.js');

// A large definition too (over 16 paths), where the matcher looks candidates up by segment count and
// first segment: literal and parameter first segments, mixed case, several parameters per segment.
const PARTS = ['books', 'Books', '{id}', 'search', 'reviews', '{reviewId}', 'v1', '{name}.{ext}', 'authors'];
function largeDefinition() {
  const paths = {};
  const random = fc.sample(fc.array(fc.constantFrom(...PARTS), { minLength: 1, maxLength: 4 }), { numRuns: 120, seed: 7 });
  for (const parts of random) paths[`/${parts.join('/')}`] = { get: { responses: { 200: { description: 'ok' } } }, ...(parts.length % 2 ? { post: { responses: { 201: { description: 'created' } } } } : {}) };
  return { openapi: '3.0.3', info: { title: 'large', version: '1' }, servers: [{ url: 'https://api.example.com/v2' }], paths };
}
const DEFINITIONS = [join(FIXTURES, 'openapi', 'v3', 'openapi.json'), join(ROOT, 'examples', 'openapi.json'), 'large'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const SEGMENTS = ['v1', 'books', 'Books', 'BOOKS', 'search', 'reviews', 'authors', 'orders', 'reports', 'sales', '1', '42', 'abc', 'a%20b', 'x.json', 'inventory', 'sync', 'login', 'health', ''];

for (const file of DEFINITIONS) {
  describe(`OperationMatcher agrees with oas: ${file === 'large' ? 'a generated definition of over 100 paths' : file.slice(ROOT.length + 1)}`, () => {
    const doc = file === 'large' ? largeDefinition() : JSON.parse(readFileSync(file, 'utf8'));
    const oas = new Oas(doc);
    const matcher = new OperationMatcher(file === 'large' ? fromDocument(doc, 'large') : readDefinition(file));
    const server = oas.url(); // the first server, variables at their defaults
    const base = new URL(server).pathname.replace(/\/$/, '');

    let matched = 0;
    const check = (method, path) => {
      const theirs = oas.findOperation(`${new URL(server).origin}${path}`, method.toLowerCase());
      const ours = matcher.find(method, path);
      if (theirs) matched++;
      expect(ours?.template, `${method} ${path}`).to.equal(theirs ? base + theirs.url.path : undefined);
    };

    it('on every documented path, filled in', () => {
      for (const op of matcher.definition.operations) check(op.method, base + op.path.replace(/\{[^}]+\}/g, '12'));
    });

    it('on random paths (2,000 of them)', () => {
      const random = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 5 }).map((parts) => `${base}/${parts.join('/')}`);
      // Documented paths filled with any segment, sometimes upper-cased or with a trailing slash.
      const filled = fc
        .tuple(
          fc.constantFrom(...matcher.definition.operations.map((o) => o.path)),
          fc.array(fc.constantFrom(...SEGMENTS.filter(Boolean)), { minLength: 8, maxLength: 8 }),
          fc.boolean(),
          fc.boolean(),
        )
        .map(([template, values, upper, slash]) => {
          let i = 0;
          const p = base + template.replace(/\{[^}]+\}/g, () => values[i++]) + (slash ? '/' : '');
          return upper ? p.toUpperCase() : p;
        });
      const path = fc.oneof(random, filled);
      matched = 0;
      fc.assert(fc.property(fc.constantFrom(...METHODS), path, (m, p) => check(m, p)), { numRuns: 2000 });
      expect(matched, 'random paths that match an operation').to.be.above(250); // the comparison means something
    });
  });
}
