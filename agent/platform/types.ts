/**
 * Operating-system specifics behind one interface, so Windows, UOS and Kylin backends can be added without touching checks.
 * Debian/UOS/Kylin share the Linux backend.
 */
export interface ProcessInfo {
  pid: number;
  /** Executable name, e.g. "SettlementClient.exe" or "java". */
  name: string;
  /** Full command line when the OS exposes it (empty otherwise). */
  commandLine: string;
}

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export interface HostPlatform {
  /** 'linux', 'windows', ... */
  readonly name: string;
  listProcesses(): Promise<ProcessInfo[]>;
  memoryInfo(): Promise<MemoryInfo>;
  /** 1, 5 and 15 minute load averages, or null where the OS has none (Windows). */
  loadAverage(): [number, number, number] | null;
  cpuCount(): number;
  /** Mount points the disk check watches when none are configured. */
  defaultMounts(): string[];
  /** Default config, state and log locations. */
  paths(): { config: string; stateDir: string; logFile: string };
  /**
   * Directories, in order, where a library named without a directory (a PKCS#11 module "opensc-pkcs11.so") is
   * looked for: the OS loader's search order, then where PKCS#11 modules are usually installed. Optional: a
   * backend without it (a stand-in in tests or a child without its backend) hands bare names to the loader as they are.
   */
  librarySearchPath?(): string[];
}

/**
 * Local accounts, for starting a process as another user (the assistance shell). An interface so each OS has its own
 * backend: Linux reads /etc/passwd; Windows (accounts and tokens, not uids) has none yet and says so.
 */
export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** The login shell as the account names it; empty when none is set. */
  shell: string;
}

export interface UserDirectory {
  byName(name: string): Promise<UserEntry | undefined>;
  byUid(uid: number): Promise<UserEntry | undefined>;
}
