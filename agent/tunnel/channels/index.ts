export { ChannelMux, type MuxOptions, type OpenDecision, type OpenHandler, type OpenOptions, type OpenRequest } from './mux.js';
export { Channel, type ChannelStats, type Reader } from './channel.js';
export { CHANNEL_CLOSE_REASONS, isChannelCloseReason, type ChannelCloseReason } from './close-reasons.js';
export { DATA_HEADER_BYTES, decodeDataFrame, encodeDataFrame } from './data-frame.js';
export { SendScheduler, type FrameTransport } from './scheduler.js';
export { TokenBucket } from './token-bucket.js';
