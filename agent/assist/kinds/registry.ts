import type { UserDirectory } from '../../platform/users.js';
import { diagKind } from './diag/plugin.js';
import type { DiagHost } from './diag/host.js';
import { forwardKind } from './forward/plugin.js';
import { shellKind } from './shell/plugin.js';
import type { AssistKindPlugin } from './types.js';

export interface KindDeps {
  /** The running agent as diagnostics see it (agentDiagHost); undefined until the agent runs. */
  diagHost: () => DiagHost | undefined;
  /** The agent's state directory (storage.dir): shell recordings go to <storageDir>/audit/recordings. */
  storageDir: string;
  /** Local accounts for the shell; default: the OS backend (agent/platform/users.ts). */
  users?: UserDirectory;
}

/** Every assistance kind the agent offers. Adding one: its folder under kinds/, and one line here. */
export function createKinds(deps: KindDeps): AssistKindPlugin[] {
  return [
    diagKind({ host: deps.diagHost }),
    shellKind({ storageDir: deps.storageDir, ...(deps.users ? { users: deps.users } : {}) }),
    forwardKind(),
  ];
}
