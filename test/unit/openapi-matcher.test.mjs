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

const DEFINITIONS = [join(FIXTURES, 'openapi', 'v3', 'openapi.json'), join(ROOT, 'examples', 'openapi.json')];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const SEGMENTS = ['v1', 'books', 'search', 'reviews', 'authors', 'orders', 'reports', 'sales', '1', '42', 'abc', 'a%20b', 'inventory', 'sync', 'login', 'health', ''];

for (const file of DEFINITIONS) {
  describe(`OperationMatcher agrees with oas: ${file.slice(ROOT.length + 1)}`, () => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const oas = new Oas(doc);
    const matcher = new OperationMatcher(readDefinition(file));
    const server = oas.url(); // the first server, variables at their defaults
    const base = new URL(server).pathname.replace(/\/$/, '');

    const check = (method, path) => {
      const theirs = oas.findOperation(`${new URL(server).origin}${path}`, method.toLowerCase());
      const ours = matcher.find(method, path);
      expect(ours?.template, `${method} ${path}`).to.equal(theirs ? base + theirs.url.path : undefined);
    };

    it('on every documented path, filled in', () => {
      for (const op of matcher.definition.operations) check(op.method, base + op.path.replace(/\{[^}]+\}/g, '12'));
    });

    it('on random paths (2,000 of them)', () => {
      const path = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 5 }).map((s) => `${base}/${s.join('/')}`);
      fc.assert(fc.property(fc.constantFrom(...METHODS), path, (m, p) => check(m, p)), { numRuns: 2000 });
    });
  });
}
