import type { Probe, ProbeContext } from '../../core/checks/plugin.js';
import type { ProbeResult } from '../../core/checks/result.js';
import { stopwatch, throwIfAborted, type ResultBody } from '../shared/result.js';
import { CertificateStage } from './certificates.js';
import { decodeFlags } from './flags.js';
import { LoginJournal } from './login-journal.js';
import { ModuleHandle, Pkcs11CallError, type Pkcs11 } from './module.js';
import { librarySearchPath } from './module-location.js';
import { readCertificates, withSession, type TokenCertificate } from './objects.js';
import { moduleError, moduleMissing, notPresent, signTestResult, tokenResult } from './results.js';
import { byModule, moduleEnvironment, resolveTokens, type ResolvedToken } from './settings.js';
import { runSignTest, type SignTestMemory } from './sign-test.js';
import { isRemoval, matchToken, scanSlots, type SeenToken, type SlotScan } from './slots.js';
import type { TokenConfig } from './schema.js';

/** The check's persistent state: sign-test memory per token name (a failed login must not repeat the same day). */
export interface TokenCheckState {
  signTests?: Record<string, SignTestMemory>;
}

/** What one cycle found for one token: its results, and the certificates to inspect afterwards. */
interface TokenFinding {
  results: ProbeResult[];
  certificates?: TokenCertificate[];
}

/**
 * The token probe. Every run is one cycle per module: load once (kept loaded), C_Initialize, slot list, token
 * info and flags, public certificate objects, the sign test where enabled, C_Finalize. Runs in the isolated child
 * process (the plugin is `isolated`); a module that hangs or crashes there is killed and reported by the framework.
 * The certificates are inspected after the PKCS#11 work, so no module stays initialised while the engine fetches CRLs.
 */
export function createTokenProbe(config: TokenConfig, ctx: ProbeContext): Probe {
  const tokens = resolveTokens(config);
  const groups = byModule(tokens);
  const searchPath = librarySearchPath(ctx.platform);
  const handles = new Map([...groups].map(([p, group]) => [p, new ModuleHandle(p, { searchPath, env: moduleEnvironment(group) })]));
  const certificates = new CertificateStage(ctx);
  return {
    async run(signal) {
      const state = ctx.state.get<TokenCheckState>() ?? {};
      const memory = { ...(state.signTests ?? {}) };
      const results: ProbeResult[] = [];
      const found: { token: ResolvedToken; certs: TokenCertificate[] }[] = [];
      for (const [modulePath, group] of groups) {
        throwIfAborted(signal);
        for (const [token, finding] of probeModule(handles.get(modulePath)!, group, memory, ctx)) {
          results.push(...finding.results);
          if (finding.certificates) found.push({ token, certs: finding.certificates });
        }
      }
      if (tokens.some((t) => t.signTest.enabled)) ctx.state.set<TokenCheckState>({ ...state, signTests: memory });
      for (const { token, certs } of found) {
        throwIfAborted(signal);
        results.push(...(await certificates.results(token, certs, signal)));
      }
      return results;
    },
    close() {
      for (const h of handles.values()) h.unload();
    },
  };
}

/** One cycle of one module for the tokens configured on it. */
function probeModule(
  handle: ModuleHandle,
  group: ResolvedToken[],
  memory: Record<string, SignTestMemory>,
  ctx: ProbeContext,
): Map<ResolvedToken, TokenFinding> {
  const done = stopwatch(ctx.now);
  const out = new Map<ResolvedToken, TokenFinding>();
  const finish = (t: ResolvedToken, body: ResultBody, extra: Partial<TokenFinding> = {}) =>
    out.set(t, { results: [done(body), ...(extra.results ?? [])], ...(extra.certificates ? { certificates: extra.certificates } : {}) });

  const loaded = handle.load();
  if (!loaded.ok) {
    for (const t of group) finish(t, moduleMissing(t, loaded.message, loaded.tried));
    return out;
  }
  const lib = loaded.lib;
  try {
    handle.cycle(lib, () => {
      const scan = scanSlots(lib);
      for (const t of group) {
        try {
          probeToken(lib, t, scan, memory, ctx, done, (body, extra) => finish(t, body, extra));
        } catch (err) {
          if (!(err instanceof Pkcs11CallError)) throw err;
          // The token left between the slot list and reading it: it is simply not there now.
          finish(t, isRemoval(err) || err.ckr === 'CKR_DEVICE_REMOVED' ? notPresent(t, scan) : moduleError(t, err));
        }
      }
    });
  } catch (err) {
    if (!(err instanceof Pkcs11CallError)) throw err;
    for (const t of group) if (!out.has(t)) finish(t, moduleError(t, err));
  }
  return out;
}

function probeToken(
  lib: Pkcs11,
  t: ResolvedToken,
  scan: SlotScan,
  memory: Record<string, SignTestMemory>,
  ctx: ProbeContext,
  done: (body: ResultBody) => ProbeResult,
  finish: (body: ResultBody, extra?: Partial<TokenFinding>) => void,
): void {
  const match = matchToken(t, scan);
  if (match.kind === 'absent') return finish(notPresent(t, scan, match.candidates));
  if (match.kind === 'uninitialized') return finish(tokenResult(t, match.token, {}));
  const seen: SeenToken = match.token;
  const certificates = withSession(lib, seen.slot, (session) => readCertificates(lib, session));
  const extra: ProbeResult[] = [];
  if (t.signTest.enabled) {
    const mem = (memory[t.name] ??= {});
    // The configured state directory reaches isolated children too (ProbeContext.stateDir); the platform's otherwise.
    const journal = new LoginJournal(ctx.stateDir ?? ctx.platform.paths().stateDir, ctx.checkId, t.name);
    extra.push(done(signTestResult(t, runSignTest(lib, seen.slot, decodeFlags(seen.flags), t.signTest, mem, journal, ctx.now()))));
  }
  finish(tokenResult(t, seen, { certificates: certificates.length, otherTokens: match.candidates - 1 }), { results: extra, certificates });
}
