import { sep } from 'node:path';
import { Hook } from 'require-in-the-middle';
import { debug, errorMessage } from '../../debug';
import { patchHapiRequest } from './hapi';
import { patchKoaContext } from './koa';

// Internal files, not entry points: ESM apps import the packages' entry through the ESM loader, which
// require-in-the-middle never sees, but those entries load these files with require().
const PATCHERS: Record<string, (exports: unknown) => void> = {
  'koa/lib/context.js': patchKoaContext,
  '@hapi/hapi/lib/request.js': patchHapiRequest,
};

export function installRequireHooks(): void {
  new Hook(['koa', '@hapi/hapi'], { internals: true }, (exports, name) => {
    const key = sep === '/' ? name : name.split(sep).join('/');
    const patch = PATCHERS[key];
    if (patch) {
      try {
        patch(exports);
        debug(`route templates: instrumented ${key}`);
      } catch (err) {
        debug(`route templates: could not instrument ${key}: ${errorMessage(err)}`);
      }
    }
    return exports;
  });
}
