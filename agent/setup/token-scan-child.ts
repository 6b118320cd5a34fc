/**
 * Child process of token-scan.ts: loads one PKCS#11 module, lists the tokens in its slots and prints them as JSON on
 * stdout. Runs apart from the wizard so a vendor library that crashes or hangs takes only this process down. Read
 * only: C_GetSlotList and C_GetTokenInfo, no session, never a login.
 */
import { decodeFlags } from '../checks/token/flags.js';
import { ModuleHandle } from '../checks/token/module.js';
import { scanSlots } from '../checks/token/slots.js';

const module = process.argv[2];
if (!module) {
  process.stderr.write('usage: token-scan-child MODULE\n');
  process.exit(64);
}
const handle = new ModuleHandle(module);
const loaded = handle.load();
if (!loaded.ok) {
  process.stdout.write(JSON.stringify({ ok: false, error: loaded.message }));
} else {
  try {
    const scan = handle.cycle(loaded.lib, () => scanSlots(loaded.lib));
    const tokens = scan.tokens.map((t) => ({ label: t.label, serial: t.serial, manufacturer: t.manufacturer, model: t.model, flags: decodeFlags(t.flags) }));
    process.stdout.write(JSON.stringify({ ok: true, tokens }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: (err as Error).message }));
  }
  handle.unload();
}
