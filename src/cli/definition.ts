import { findConfigFile, loadConfigFile } from '../config/load-file';
import { DefinitionSource } from '../openapi';

/**
 * The API definition the inspector compares traffic with, found as the SDK finds it: `--openapi`,
 * then README_OPENAPI, then `openapi` in the config file, then openapi.json & co. in the working
 * directory. A config file that fails to load is the app's to report; here it only means "not set".
 */
export async function inspectorDefinition(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DefinitionSource> {
  let configured = flag || env.README_OPENAPI || undefined;
  if (!configured) {
    const file = findConfigFile(process.cwd(), env);
    if (file) {
      try {
        const options = await loadConfigFile(file);
        if (typeof options.openapi === 'string' && options.openapi) configured = options.openapi;
      } catch {
        // the app reports it
      }
    }
  }
  return new DefinitionSource(configured);
}
