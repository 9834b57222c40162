/**
 * Teaches capture the route template of frameworks that do not leave it on the raw request
 * (Express does: see exchange.ts). Installed once by the agent at start-up.
 */
export function installRouteInstrumentation(): void {}
