import { linuxDiscovery, type LinuxDiscoveryOptions } from './linux-discovery.js';
import type { DeviceDiscovery } from './types.js';

export type { DeviceDiscovery, ModuleFile, SerialPortInfo } from './types.js';

/** The device-discovery backend for this OS; Windows has none yet and says so (see docs/windows-service.md). */
export function deviceDiscovery(nodePlatform: NodeJS.Platform | string, options: LinuxDiscoveryOptions = {}): DeviceDiscovery {
  if (nodePlatform === 'linux') return linuxDiscovery(options);
  throw new Error(`device discovery is not available on ${nodePlatform} yet (Linux sysfs only); write the config with guardpost config example`);
}
