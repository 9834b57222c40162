import { resolve } from 'node:path';
import type { Collector } from '../inspector/collector';
import { inspectorEnv } from './serve';

/** This package's preload: dist/cli -> package root. */
export const REGISTER_PATH = resolve(__dirname, '..', '..', 'register.js');

/**
 * NODE_OPTIONS keeps what the user had and gains `--require <register.js>`, so every Node process the
 * command starts (npm scripts, nodemon, tsx...) loads the SDK. Node's parser of NODE_OPTIONS
 * understands double quotes with backslash escapes, needed for paths with spaces.
 */
export function withPreload(nodeOptions: string | undefined, registerPath = REGISTER_PATH): string {
  const path = /[\s"\\]/.test(registerPath) && !/^[A-Za-z]:\\[^\s"]*$/.test(registerPath)
    ? `"${registerPath.replace(/[\\"]/g, '\\$&')}"`
    : registerPath;
  const flag = `--require ${path}`;
  return nodeOptions && nodeOptions.trim() ? `${nodeOptions.trim()} ${flag}` : flag;
}

/**
 * The command's environment: the user's, plus what points the SDK at the local inspector. Its
 * README_API_KEY is replaced by the session token: the user's real key never reaches the command.
 */
export function childEnv(parent: NodeJS.ProcessEnv, collector: Collector): NodeJS.ProcessEnv {
  return {
    ...parent,
    ...inspectorEnv(collector),
    NODE_OPTIONS: withPreload(parent.NODE_OPTIONS),
  };
}
