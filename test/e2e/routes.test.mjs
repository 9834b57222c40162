// Route templates as pageref: the route that matched with its mount path, whatever next() does after it,
// and optional or wildcard segments that stay a path (`?`, `#` and `\` percent-encoded, as readmeio's
// url.format writes them), read back the same by the inspector.
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT, entryOf, request, startApp, startCollector, waitForLogs } from '../helpers/harness.mjs';

const require = createRequire(import.meta.url);
const { summarize } = require(join(ROOT, 'dist', 'inspector', 'summary.js'));

const CASES = [
  {
    name: 'Express 4',
    file: 'routes-express.cjs',
    args: ['express4'],
    routes: {
      '/posts/7': '/posts/:id',
      '/posts': '/posts/',
      '/pkg/left-pad/1.3.0': '/pkg/:package/:version%3F',
      '/pkg/left-pad': '/pkg/:package/:version%3F',
      '/files/a/b.txt': '/files/*',
      '/num/42': '/num/:id(%5Cd+)',
      '/v1/things/9': '/things/:id',
      '/guarded/5': '/guarded/:id',
      '/users/42/posts/7': '/users/:userId/posts/:postId',
      '/users/42/posts/7/comments/7': '/users/:userId/posts/:postId/comments/:commentId',
      // No route matched: the outer renderer answers, and the URL itself is the pageref.
      '/nowhere': null,
    },
  },
  {
    name: 'Express 5',
    file: 'routes-express.cjs',
    args: ['express'],
    routes: {
      '/posts/7': '/posts/:id',
      '/posts': '/posts/',
      '/pkg/left-pad/1.3.0': '/pkg/:package{/:version}',
      '/pkg/left-pad': '/pkg/:package{/:version}',
      '/files/a/b.txt': '/files/*path',
      '/v1/things/9': '/things/:id',
      '/guarded/5': '/guarded/:id',
      '/users/42/posts/7': '/users/:userId/posts/:postId',
      '/users/42/posts/7/comments/7': '/users/:userId/posts/:postId/comments/:commentId',
      '/nowhere': null,
    },
  },
  {
    name: 'json-server 0.17 (real package, Express 4)',
    file: 'json-server.cjs',
    routes: {
      '/posts': '/posts/',
      '/posts/1': '/posts/:id',
      '/comments': '/comments/',
      '/users/1': '/users/:id',
      // Its nested route rewrites req.url to /comments and hands on: the template is the one that matched.
      '/posts/1/comments': '/:resource/:id/:nested',
      '/profile': '/profile/',
      '/db': '/db',
    },
  },
  {
    name: 'Koa + @koa/router',
    file: 'routes-koa.cjs',
    routes: {
      '/posts/7': '/posts/:id',
      '/pkg/left-pad/1.3.0': '/pkg/:package{/:version}',
      '/pkg/left-pad': '/pkg/:package{/:version}',
      '/files/a/b.txt': '/files/*path',
    },
  },
  {
    name: 'Fastify',
    file: 'routes-fastify.cjs',
    routes: {
      '/reg/pkg/left-pad/1.3.0': '/reg/pkg/:package/:version%3F',
      '/reg/pkg/left-pad': '/reg/pkg/:package/:version%3F',
      '/reg/files/a/b.txt': '/reg/files/*',
    },
  },
  {
    name: 'Hapi',
    file: 'routes-hapi.cjs',
    routes: {
      '/pkg/left-pad/1.3.0': '/pkg/{package}/{version%3F}',
      '/pkg/left-pad': '/pkg/{package}/{version%3F}',
      '/files/a/b.txt': '/files/{path*}',
    },
  },
];

describe('routes: the template of the route that matched, as a path', function () {
  let collector;
  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    await collector?.close();
  });

  for (const express of ['express4', 'express']) {
    it(`${express}: route and baseUrl read back as without the preload, during and after the response`, async () => {
      const [app, plain] = await Promise.all([
        startApp('routes-express.cjs', { collector, args: [express] }),
        startApp('routes-express.cjs', { preload: 'none', args: [express] }),
      ]);
      try {
        const [a, b] = await Promise.all([request(`${app.url}/own/1`), request(`${plain.url}/own/1`)]);
        expect(JSON.parse(a.body)).to.deep.equal(JSON.parse(b.body));
        const finished = (p) => /finish .*\n/.exec(p.stdout())?.[0];
        for (const deadline = Date.now() + 5_000; !(finished(app) && finished(plain)) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
        expect(finished(app)).to.equal('finish |/own/:id\n');
        expect(finished(app)).to.equal(finished(plain));
      } finally {
        await Promise.all([app.stop(), plain.stop()]);
      }
    });
  }

  for (const c of CASES) {
    it(c.name, async function () {
      const app = await startApp(c.file, { collector, args: c.args ?? [] });
      try {
        let n = 0;
        for (const [path, template] of Object.entries(c.routes)) {
          const tag = `${c.name}-${++n}`;
          const res = await request(app.url + path, { headers: { 'x-test-case': tag } });
          expect(res.status, `${path} status`).to.equal(200);
          const [log] = await waitForLogs(collector, 1, {
            filter: (l) => entryOf(l).request.headers.some((h) => h.name === 'x-test-case' && h.value === tag),
          });
          const e = entryOf(log);
          const url = new URL(e.request.url);
          if (template === null) {
            expect(e.pageref, path).to.equal(e.request.url);
            continue;
          }
          expect(e.pageref, path).to.equal(`${url.origin}${template}`);
          // A path to any URL parser: nothing of the template is taken for a query or a fragment.
          const parsed = new URL(e.pageref);
          expect(parsed.search + parsed.hash, path).to.equal('');
          // The inspector shows the template as the framework wrote it (none when it is the path itself).
          const summary = summarize({ seq: 1, receivedAt: 0, auth: undefined, log });
          const shown = decodeURIComponent(parsed.pathname);
          expect(summary.route, `${path} in the inspector`).to.equal(shown === path ? undefined : shown);
          expect(shown, path).to.equal(decodeURIComponent(template));
        }
      } finally {
        await app.stop();
      }
    });
  }
});
