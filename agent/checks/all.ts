import { loadBuiltinPlugins } from './index.js';

/**
 * Every shipped check, loaded: for what must know all of them (the docs, config examples, the registry's own tests).
 * A running agent loads only the checks its config names, through `loadBuiltinPlugins` in ./index.ts.
 */
export const builtinPlugins = await loadBuiltinPlugins();
