import pkcs11js from 'pkcs11js';
import { withEnvironment, type EnvValue } from './module-env.js';
import { locateModule } from './module-location.js';

export type Pkcs11 = pkcs11js.PKCS11;
export const P11 = pkcs11js;

/** A PKCS#11 call that returned an error: which call, and its CKR_ name and number. */
export class Pkcs11CallError extends Error {
  constructor(
    readonly call: string,
    readonly ckr: string,
    readonly code: number,
  ) {
    super(`${call} returned ${ckr}`);
  }
}

/** Runs one PKCS#11 call, turning pkcs11js's errors into Pkcs11CallError that names the call. */
export function call<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as { message?: unknown; code?: unknown };
    const ckr = typeof e.message === 'string' && e.message.startsWith('CKR_') ? e.message : `error: ${String(e.message ?? err).slice(0, 200)}`;
    throw new Pkcs11CallError(name, ckr, typeof e.code === 'number' ? e.code : 0);
  }
}

export type LoadOutcome = { ok: true; lib: Pkcs11 } | { ok: false; message: string; tried: string[] };

export interface ModuleOptions {
  /** Where a bare module name is looked for (the platform's library search path); absent: taken as written. */
  searchPath?: string[];
  /** Variables the module reads from its environment (tokens[].env), set around its load and every cycle. */
  env?: ReadonlyMap<string, EnvValue>;
}

/**
 * One vendor module, loaded once per (child) process and re-initialised for every cycle: C_Initialize, the
 * cycle's calls, C_Finalize. Re-initialising is the only way to see tokens come and go on modules without working
 * slot events (SoftHSM2 and many USBKey drivers).
 */
export class ModuleHandle {
  #lib: Pkcs11 | null = null;
  #loadedFrom: string | null = null;
  readonly #env: ReadonlyMap<string, EnvValue>;

  constructor(
    readonly module: string,
    private readonly options: ModuleOptions = {},
  ) {
    this.#env = options.env ?? new Map();
  }

  /** Loads the module if it is not loaded yet; on failure the loader's own message (dlerror) or where it was looked for. */
  load(): LoadOutcome {
    const where = locateModule(this.module, this.options.searchPath);
    if (!where.found) {
      this.unload(); // an uninstalled driver must not keep working from the old mapping
      return { ok: false, message: where.problem, tried: where.tried };
    }
    if (this.#lib && this.#loadedFrom === where.path) return { ok: true, lib: this.#lib };
    this.unload(); // another file now comes first in the search path
    const lib = new pkcs11js.PKCS11();
    try {
      withEnvironment(this.#env, () => lib.load(where.path));
    } catch (err) {
      return { ok: false, message: loaderMessage(err), tried: [where.path] };
    }
    this.#lib = lib;
    this.#loadedFrom = where.path;
    return { ok: true, lib };
  }

  /** C_Initialize, `fn`, then C_Finalize whatever happened, so the next cycle rescans the slots. */
  cycle<T>(lib: Pkcs11, fn: () => T): T {
    return withEnvironment(this.#env, () => this.#cycle(lib, fn));
  }

  #cycle<T>(lib: Pkcs11, fn: () => T): T {
    try {
      call('C_Initialize', () => lib.C_Initialize());
    } catch (err) {
      // Left initialised by an earlier cycle that was cut short: start over.
      if (!(err instanceof Pkcs11CallError) || err.ckr !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw err;
      finalizeQuietly(lib);
      call('C_Initialize', () => lib.C_Initialize());
    }
    try {
      return fn();
    } finally {
      finalizeQuietly(lib);
    }
  }

  unload(): void {
    if (!this.#lib) return;
    finalizeQuietly(this.#lib);
    try {
      this.#lib.close();
    } catch {
      // dlclose failing leaves nothing for us to do
    }
    this.#lib = null;
    this.#loadedFrom = null;
  }
}

function finalizeQuietly(lib: Pkcs11): void {
  try {
    lib.C_Finalize();
  } catch {
    // CKR_CRYPTOKI_NOT_INITIALIZED (SoftHSM after a failed C_Initialize) and the like: nothing to release
  }
}

/** dlopen's message says what is wrong: "wrong ELF class: ELFCLASS32", "libfoo.so.1: cannot open shared object file". */
function loaderMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.slice(0, 300);
}
