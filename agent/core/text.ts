/** A user-facing text in both languages Guardpost speaks. Chinese is the primary language. */
export interface Text {
  zh: string;
  en: string;
}

export type Lang = keyof Text;

export function text(zh: string, en: string): Text {
  return { zh, en };
}

/** Picks the language from --lang, then GUARDPOST_LANG / LANG / LC_ALL; Chinese unless English is asked for. */
export function resolveLang(explicit?: string, env: NodeJS.ProcessEnv = process.env): Lang {
  const raw = explicit ?? env.GUARDPOST_LANG ?? env.LC_ALL ?? env.LANG ?? '';
  return /^en/i.test(raw) ? 'en' : 'zh';
}

/**
 * Orders strings by UTF-16 code units: stable, locale-free, right for ISO times, paths, ids and hex. Used instead of
 * localeCompare, whose first call loads ICU's collator (about 3 MB of RSS, bench/agent-memory) into a till PC's agent.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
