export { IsolatedProbeHost, type IsolatedProbeHostOptions } from './isolated-probe-host.js';
export { encodeSecrets, decodeSecrets } from './secret-transfer.js';
