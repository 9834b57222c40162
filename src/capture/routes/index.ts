import { debug, errorMessage } from '../../debug';
import { installExpressRoutes } from './express';
import { installFastifyRoutes } from './fastify';
import { installRequireHooks } from './require-hook';

let installed = false;

/**
 * Teaches capture the route template of each framework, recorded when the framework resolves it.
 * Installed once by the agent at start-up; every hook is lazy, so an app that never loads a framework
 * pays nothing for it.
 */
export function installRouteInstrumentation(): void {
  if (installed) return;
  installed = true;
  for (const [name, install] of [
    ['express', installExpressRoutes],
    ['fastify', installFastifyRoutes],
    ['koa/hapi', installRequireHooks],
  ] as const) {
    try {
      install();
    } catch (err) {
      debug(`route templates for ${name} unavailable: ${errorMessage(err)}`);
    }
  }
}
