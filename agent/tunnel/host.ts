import type { Agent } from '../core/runtime/agent.js';

/** The parts of the running agent the tunnel uses: the durable outbox, the active faults, events, and reporting. */
export type TunnelHost = Pick<Agent, 'store' | 'engine' | 'events' | 'acknowledge' | 'report' | 'setTunnelStatus' | 'status' | 'rollups'>;
