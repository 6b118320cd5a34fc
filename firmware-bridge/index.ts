/** The device side's public surface: what the reader check, the CLI and the demo import. */
export * from './profiles/index.js';
export { FrameDecoder, type DecodedFrame, type DecoderHandlers, type DecoderStats, type Rejection } from './codec/frame-decoder.js';
export { ReaderClient, type ClientStats, type Exchange, type ReaderClientOptions, type RequestOptions } from './client/reader-client.js';
export { READER_ERROR_CODES, ReaderError, type ReaderErrorCode } from './client/reader-error.js';
export { ReaderEmulator, DEFAULT_ATR, type EmulatorSnapshot, type ReaderEmulatorOptions } from './emulator/reader-emulator.js';
export { type FaultSwitch, type LinkFaults } from './emulator/emulator-faults.js';
export { memoryDevicePort, socatDevicePort, ttyPathPort, type EmulatorPort, type SocatDevicePort } from './emulator/emulator-port.js';
export { openTtyPort } from './transport/tty-port.js';
export { socatAvailable, startSocatPair, type SocatPair } from './transport/socat-pair.js';
export { memoryPair } from './transport/memory-pair.js';
