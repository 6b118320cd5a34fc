import type { AssistCapability } from '../../web/consent-broker.js';
import type { AssistKind } from '../policy/schema.js';

/** How the page names each kind to the cashier (the broker's capability words, see agent/web/page/i18n.ts). */
export const KIND_CAPABILITY: Record<AssistKind, AssistCapability> = { diag: 'view', shell: 'terminal', forward: 'relay' };
