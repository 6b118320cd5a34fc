import type { CheckPlugin } from '../core/checks/plugin.js';
import { plugin as backup } from './backup/index.js';
import { plugin as cert } from './cert/index.js';
import { plugin as certserver } from './certserver/index.js';
import { plugin as clock } from './clock/index.js';
import { plugin as disk } from './disk/index.js';
import { plugin as logs } from './logs/index.js';
import { plugin as memory } from './memory/index.js';
import { plugin as processes } from './process/index.js';
import { plugin as reader } from './reader/index.js';
import { plugin as settlement } from './settlement/index.js';
import { plugin as token } from './token/index.js';

/** Every check Guardpost ships. The core is handed this list and imports no check by name. */
export const builtinPlugins: CheckPlugin[] = [disk, memory, backup, logs, clock, processes, token, settlement, certserver, cert, reader];
