import { parseArgs } from 'node:util';
import { parseConfigText } from '../core/config/load.js';
import { SiteSchema, type SiteConfig } from '../core/site.js';
import { resolveLang, type Lang, type Text } from '../core/text.js';
import { detectDevices, type Detection } from '../setup/detect.js';
import { deviceDiscovery } from '../setup/discovery/index.js';
import { ConfigExistsError, initConfig, writeInitConfig, type InitAnswers } from '../setup/init-config.js';
import { proposeChecks, type ProposedCheck } from '../setup/proposal.js';
import { configPath, createContext, loadOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliIO } from './io.js';

export const INIT_HELP = `用法 / usage: guardpost init [options]

Detects this machine's card readers and USBKeys, asks for the site, and writes a validated configuration.
Detection only lists devices: no port is opened, no card is read, no token is logged in to.

  --profile terminal|certserver   a settlement terminal (default) or the certificate-authentication server
  --institution-code CODE         定点医药机构编码 fixmedins_code, e.g. P44010600123
  --institution-name NAME         定点医药机构名称 fixmedins_name
  --area-code CODE                就医地医保区划 mdtrtarea_admvs, 6 digits
  --terminal-id ID                this terminal's id, e.g. POS-01
  --settlement-url URL            the settlement platform's address here (adds the settlement check)
  --certserver-url URL            the authentication service's health URL (certserver profile)
  --serial PORT                   watch a card reader on this serial port (repeatable; serial ports are never probed unasked)
  --module PATH                   also look at this PKCS#11 module (a driver installed somewhere unusual; repeatable)
  --non-interactive               ask nothing: take the flags and every detected reader and token
  --config FILE                   where to write (default: $GUARDPOST_CONFIG, else the platform's path)
  --force                         replace an existing config (the old one is kept as FILE.bak-TIME)
  --dry-run                       print the config instead of writing it
  --no-pcsc / --no-tokens         do not ask pcscd for readers / do not load PKCS#11 modules to list tokens
  --sysfs DIR, --dev DIR          where sysfs and device nodes are (default /sys, /dev)
  --lang zh|en
`;

const SITE_FLAGS: Record<keyof SiteConfig, { flag: string; ask: Text }> = {
  fixmedins_code: { flag: '--institution-code', ask: { zh: '定点医药机构编码', en: 'institution code (fixmedins_code)' } },
  fixmedins_name: { flag: '--institution-name', ask: { zh: '定点医药机构名称', en: 'institution name' } },
  mdtrtarea_admvs: { flag: '--area-code', ask: { zh: '医保区划（6 位）', en: 'insurance area code (6 digits)' } },
  terminalId: { flag: '--terminal-id', ask: { zh: '终端编号', en: 'terminal id' } },
};

export async function initCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string' },
      'institution-code': { type: 'string' },
      'institution-name': { type: 'string' },
      'area-code': { type: 'string' },
      'terminal-id': { type: 'string' },
      'settlement-url': { type: 'string' },
      'certserver-url': { type: 'string' },
      serial: { type: 'string', multiple: true, default: [] },
      module: { type: 'string', multiple: true, default: [] },
      'non-interactive': { type: 'boolean', default: false },
      config: { type: 'string' },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      'no-pcsc': { type: 'boolean', default: false },
      'no-tokens': { type: 'boolean', default: false },
      sysfs: { type: 'string' },
      dev: { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return io.out(INIT_HELP), EXIT.ok;
  const lang = resolveLang(values.lang, io.env);
  const say = (t: Text) => t[lang];
  const interactive = !values['non-interactive'];
  if (interactive && !io.prompt) throw new UsageError('no terminal to ask on: use --non-interactive with the site flags');
  const ask = new Asker(io, lang);

  const ctx = await createContext(io.env);
  const file = configPath({ ...(values.config ? { config: values.config } : {}) }, io.env, ctx.platform);
  const discovery = deviceDiscovery(process.platform, { ...(values.sysfs ? { sysfsRoot: values.sysfs } : {}), ...(values.dev ? { devRoot: values.dev } : {}) });
  io.out(say({ zh: '正在检测设备（不打开端口、不读卡、不登录令牌）…', en: 'Detecting devices (no port opened, no card read, no token logged in to)…' }));
  const found = await detectDevices(discovery, { pcsc: !values['no-pcsc'], tokens: !values['no-tokens'], extraModules: values.module });
  io.out(describeDetection(found, lang));
  const moduleEnv = io.env.SOFTHSM2_CONF ? { SOFTHSM2_CONF: io.env.SOFTHSM2_CONF } : undefined;
  const { checks: proposed, notes } = proposeChecks(found, { serialPorts: values.serial, ...(moduleEnv ? { moduleEnv } : {}) });
  for (const n of notes) io.out(`  ! ${say(n)}`);
  const unknownSerial = values.serial.filter((p) => !found.serialPorts.some((s) => s.path === p || s.stablePath === p));
  if (unknownSerial.length) throw new UsageError(`--serial ${unknownSerial.join(', ')}: no such serial port was detected (see the list above)`);

  const profile = values.profile ?? (interactive ? await ask.choice({ zh: '用途', en: 'profile' }, ['terminal', 'certserver'], 'terminal') : 'terminal');
  if (profile !== 'terminal' && profile !== 'certserver') throw new UsageError(`--profile must be terminal or certserver, got "${profile}"`);
  const site = await siteAnswers(values, interactive, ask);
  const urlFlag = profile === 'terminal' ? 'settlement-url' : 'certserver-url';
  const url = values[urlFlag] ?? (interactive ? await ask.text(profile === 'terminal' ? { zh: '医保结算平台地址（可留空）', en: 'settlement platform URL (may be empty)' } : { zh: '认证服务健康检查地址（可留空）', en: 'authentication service health URL (may be empty)' }, '') : '');
  if (url && !/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--${urlFlag}: "${url}" is not an http(s) URL`);
  const devices = await chooseDevices(proposed, interactive, ask);

  const answers: InitAnswers = { profile, site, devices, ...(url ? (profile === 'terminal' ? { settlementUrl: url } : { certserverUrl: url }) : {}) };
  const doc = initConfig(answers, ctx.platform);
  // Validated exactly as the service will load it, before anything is written.
  parseConfigText(JSON.stringify(doc), file, loadOptions(ctx));
  io.endPrompts?.();
  if (values['dry-run']) return io.out(JSON.stringify(doc, null, 2)), EXIT.ok;
  try {
    const { backup } = writeInitConfig(file, doc, { force: values.force });
    if (backup) io.out(say({ zh: `原配置已备份为 ${backup}`, en: `the previous config is kept as ${backup}` }));
  } catch (err) {
    if (err instanceof ConfigExistsError) return io.err(`guardpost init: ${err.message}`), EXIT.unavailable;
    throw err;
  }
  io.out(
    say({
      zh: `已写入 ${file}：${Object.keys(doc.checks as object).join('、')}\n下一步：guardpost check --config ${file}；接入服务台：guardpost enroll --desk wss://… --code … --desk-pin sha256/…；然后 systemctl restart guardpost`,
      en: `wrote ${file}: ${Object.keys(doc.checks as object).join(', ')}\nnext: guardpost check --config ${file}; connect to the desk: guardpost enroll --desk wss://… --code … --desk-pin sha256/…; then systemctl restart guardpost`,
    }),
  );
  return EXIT.ok;
}

type InitFlags = Partial<Record<'institution-code' | 'institution-name' | 'area-code' | 'terminal-id', string>>;

async function siteAnswers(values: InitFlags, interactive: boolean, ask: Asker): Promise<SiteConfig> {
  const site: Partial<SiteConfig> = {};
  const missing: string[] = [];
  for (const [key, { flag, ask: question }] of Object.entries(SITE_FLAGS) as Array<[keyof SiteConfig, (typeof SITE_FLAGS)[keyof SiteConfig]]>) {
    const schema = SiteSchema.properties[key] as { pattern?: string; minLength?: number; description?: string };
    const valid = (v: string) => (schema.pattern ? new RegExp(schema.pattern).test(v) : v.length >= (schema.minLength ?? 1));
    const given = values[flag.slice(2) as keyof InitFlags];
    if (given !== undefined) {
      if (!valid(given)) throw new UsageError(`${flag} "${given}": expected ${schema.description}`);
      site[key] = given;
    } else if (interactive) site[key] = await ask.text(question, '', valid, schema.description);
    else missing.push(flag);
  }
  if (missing.length) throw new UsageError(`--non-interactive needs ${missing.join(', ')}`);
  return site as SiteConfig;
}

async function chooseDevices(proposed: ProposedCheck[], interactive: boolean, ask: Asker): Promise<Record<string, Record<string, unknown>>> {
  const chosen: Record<string, Record<string, unknown>> = {};
  for (const c of proposed) {
    const take = interactive ? await ask.yesNo({ zh: `监控 ${c.why.zh}？`, en: `watch ${c.why.en}?` }, c.byDefault) : c.byDefault;
    if (take) chosen[c.id] = c.config;
  }
  return chosen;
}

function describeDetection(found: Detection, lang: Lang): string {
  const zh = lang === 'zh';
  const lines: string[] = [];
  const none = zh ? '（无）' : '(none)';
  lines.push(zh ? '串口：' : 'serial ports:', ...(found.serialPorts.length ? found.serialPorts.map((p) => `  ${p.stablePath ?? p.path}${p.stablePath ? ` → ${p.path}` : ''}${p.usbId ? ` [${p.usbId}]` : ''}${p.driver ? ` (${p.driver})` : ''}`) : [`  ${none}`]));
  lines.push(zh ? 'USB 读卡器：' : 'USB readers:', ...(found.usbReaders.length ? found.usbReaders.map((r) => `  ${r.device.id} ${r.known.name[lang]} @ ${r.device.port}`) : [`  ${none}`]));
  lines.push(zh ? 'USBKey：' : 'USB keys:', ...(found.usbKeys.length ? found.usbKeys.map((k) => `  ${k.device.id} ${k.known.name[lang]} @ ${k.device.port}`) : [`  ${none}`]));
  if (found.pcsc) {
    lines.push(
      `PC/SC: ${found.pcsc.service === 'up' ? (zh ? '服务正常' : 'service up') : `${zh ? '服务不可用' : 'service down'}: ${found.pcsc.error ?? ''}`}`,
      ...found.pcsc.readers.map((r) => `  ${r.name}${r.cardPresent ? (zh ? '（有卡）' : ' (card in)') : ''}`),
    );
  }
  lines.push(zh ? 'PKCS#11 模块：' : 'PKCS#11 modules:');
  if (!found.modules.length) lines.push(`  ${none}`);
  for (const m of found.modules) {
    const tokens = m.scan?.ok ? m.scan.tokens.map((t) => `"${t.label}" ${t.serial}`).join(', ') || (zh ? '无令牌' : 'no token') : m.scan ? `${zh ? '错误' : 'error'}: ${m.scan.error}` : '';
    lines.push(`  ${m.path} (${m.vendor[lang]})${tokens ? `: ${tokens}` : ''}`);
  }
  return lines.join('\n');
}

/** Questions on the terminal, each re-asked until the answer is valid; end of input is a usage error. */
class Asker {
  constructor(
    private readonly io: CliIO,
    private readonly lang: Lang,
  ) {}

  async text(q: Text, fallback: string, valid: (v: string) => boolean = () => true, hint?: string): Promise<string> {
    for (;;) {
      const raw = await this.io.prompt!(`${q[this.lang]}${fallback ? ` [${fallback}]` : ''}: `);
      if (raw === null) throw new UsageError(`no answer for "${q.en}" (input ended): use --non-interactive with flags`);
      const v = raw.trim() || fallback;
      if (valid(v)) return v;
      this.io.out(this.lang === 'zh' ? `  格式不对：${hint ?? ''}` : `  not valid: ${hint ?? ''}`);
    }
  }

  async choice(q: Text, options: string[], fallback: string): Promise<string> {
    return this.text({ zh: `${q.zh}（${options.join('/')}）`, en: `${q.en} (${options.join('/')})` }, fallback, (v) => options.includes(v), options.join(' / '));
  }

  async yesNo(q: Text, fallback: boolean): Promise<boolean> {
    const hint = fallback ? 'Y/n' : 'y/N';
    const v = await this.text(q, hint, (a) => a === hint || /^(y|yes|n|no|是|否)$/i.test(a), 'y / n');
    return v === hint ? fallback : /^(y|yes|是)$/i.test(v);
  }
}
