import { debug, errorMessage, warnOnce } from '../debug';
import { readDefinition } from './definition';
import { locateDefinition } from './locate';
import { OperationMatcher } from './matcher';

export { locateDefinition } from './locate';
export { OperationMatcher } from './matcher';
export { DefinitionSource, type DefinitionState } from './source';
export { readDefinition, type Definition, type DocumentedOperation } from './definition';

/**
 * Loads the definition once (found from the `openapi` setting or the working directory) and answers
 * its matcher; undefined when there is none or it cannot be read, which is said once, naming the file.
 */
function loadMatcher(configured: string | undefined, cwd = process.cwd()): OperationMatcher | undefined {
  const found = locateDefinition(configured, cwd);
  if (!found) return undefined;
  try {
    const matcher = new OperationMatcher(readDefinition(found.file));
    debug(`OpenAPI definition ${found.file}: ${matcher.definition.operations.length} operation(s)`);
    return matcher;
  } catch (err) {
    warnOnce(
      `openapi:${found.file}`,
      `could not use the OpenAPI definition ${found.file} (${errorMessage(err)}); endpoints are logged by their full URL`,
    );
    return undefined;
  }
}

// The SDK side: one matcher per setting for the life of the process (the worker, by default).
const loaded = new Map<string, OperationMatcher | undefined>();

/** The documented path template for this request, or undefined. Never throws. */
export function documentedTemplate(configured: string | undefined, method: string, target: string): string | undefined {
  const key = configured ?? '';
  let matcher = loaded.get(key);
  if (!loaded.has(key)) {
    matcher = loadMatcher(configured);
    loaded.set(key, matcher);
  }
  if (!matcher) return undefined;
  try {
    return matcher.find(method, target)?.template;
  } catch {
    return undefined;
  }
}
