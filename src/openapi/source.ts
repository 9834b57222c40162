import { statSync } from 'node:fs';
import { errorMessage, warnOnce } from '../debug';
import { readDefinition } from './definition';
import { locateDefinition } from './locate';
import { OperationMatcher } from './matcher';

/** The definition as last read: none, a matcher, or why the file could not be used. */
export interface DefinitionState {
  file?: string;
  matcher?: OperationMatcher;
  error?: string;
}

/**
 * The inspector's view of the definition: read again when the file changed, appeared or went away
 * since it was last asked for, since a dev session outlives edits to it. (The SDK reads it once.)
 */
export class DefinitionSource {
  private key = '';
  private state: DefinitionState = {};

  constructor(
    private readonly configured: string | undefined,
    private readonly cwd = process.cwd(),
  ) {}

  current(): DefinitionState {
    const found = locateDefinition(this.configured, this.cwd);
    if (!found) {
      this.key = '';
      return (this.state = {});
    }
    let key: string;
    try {
      const st = statSync(found.file);
      key = `${found.file}\0${st.mtimeMs}\0${st.size}`;
    } catch {
      key = `${found.file}\0missing`;
    }
    if (key === this.key) return this.state;
    this.key = key;
    try {
      this.state = { file: found.file, matcher: new OperationMatcher(readDefinition(found.file)) };
    } catch (err) {
      this.state = { file: found.file, error: errorMessage(err) };
      warnOnce(`openapi:${key}`, `could not use the OpenAPI definition ${found.file} (${errorMessage(err)})`);
    }
    return this.state;
  }
}
