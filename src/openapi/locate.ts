import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Looked for in the working directory when the `openapi` option is not set, in this order. */
const DEFAULT_DEFINITION_FILES = ['openapi.json', 'openapi.yaml', 'openapi.yml', 'swagger.json'] as const;

/**
 * The definition file to use: the one the user named (relative to the working directory), or the
 * first default name found there, or none.
 */
export function locateDefinition(configured: string | undefined, cwd = process.cwd()): { file: string; named: boolean } | undefined {
  if (configured) return { file: resolve(cwd, configured), named: true };
  for (const name of DEFAULT_DEFINITION_FILES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return { file, named: false };
  }
  return undefined;
}
