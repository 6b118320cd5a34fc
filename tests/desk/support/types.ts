import type { DeskConfig } from '../../../agent/core/config/schema.js';

export type AgentDeskConfigLike = Pick<DeskConfig, 'url' | 'caFile' | 'certFile' | 'keyFile'>;
