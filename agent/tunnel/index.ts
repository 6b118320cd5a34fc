export { DeskTunnel, DEFAULT_TIMING, type DeskTunnelOptions, type TunnelTiming } from './tunnel.js';
export { DESK_SOURCE_ID, DESK_CLOCK_SOURCE_ID } from './sources.js';
export { spkiPin } from '../net/index.js';
export { PROTOCOL_VERSION, CLOSE } from './protocol/constants.js';
