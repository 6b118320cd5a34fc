/**
 * /static/app.js — the page's behaviour: the live stream (and noticing when the agent is gone), the buttons, the
 * language toggle. State comes only from the stream's snapshots; the page never guesses.
 */
import { byId } from './dom.js';
import { ago, clock, isWordKey, mmss, span, t } from './i18n.js';
import { renderChecks, renderConsent, renderFaults, renderHistory, renderOverall, renderSite, renderTunnel, type ConsentAction } from './render.js';
import type { ConsentSession, Lang, ManualRun, RunAccepted, Snapshot } from './snapshot.js';

const LANG_KEY = 'guardpost.lang';
/** Longer than the server's 10 s heartbeat: silence this long means the stream is dead even if the socket is not. */
const SILENCE_MS = 25000;

const csrf = meta('guardpost-csrf');
const instance = meta('guardpost-instance');
let lang: Lang = readLang();
let snap: Snapshot | null = null;
/** What each section was last drawn from (language + data), so an unchanged section is not redrawn. */
let drawn: Record<string, string | null> = {};
let source: EventSource | null = null;
let lostSince: Date | null = null;
let lastMessage = Date.now();
let reconnectTimer: number | undefined;
let backoff = 1000;
/** null: no run asked for; 'sent': the request is on its way; else the startedAt of the run it started. */
let requestedRun: string | null = null;
let toastTimer: number | undefined;

function meta(name: string): string {
  const m = document.querySelector('meta[name="' + name + '"]');
  return (m && m.getAttribute('content')) || '';
}

function readLang(): Lang {
  try {
    return window.localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

function setLang(next: Lang): void {
  lang = next;
  try {
    window.localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* private mode: the choice lasts this visit */
  }
  drawn = {};
  applyStaticText();
  draw();
}

/** Every element matching selector (NodeList.forEach: every browser with ES modules has it). */
function each(selector: string, paint: (el: HTMLElement) => void): void {
  document.querySelectorAll<HTMLElement>(selector).forEach(paint);
}

function applyStaticText(): void {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.title = t(lang, 'title');
  each('[data-i18n]', (el) => {
    const key = attr(el, 'data-i18n');
    el.textContent = isWordKey(key) ? t(lang, key) : key;
  });
  byId('lang-toggle').textContent = t(lang, 'langToggle');
  if (!snap) byId('overall-word').textContent = t(lang, 'connecting');
  updateRun();
  updateLost();
}

function section(name: string, data: unknown, paint: () => void): void {
  const key = lang + JSON.stringify(data);
  if (drawn[name] === key) return;
  drawn[name] = key;
  paint();
}

function draw(): void {
  if (!snap) return;
  const s = snap;
  section('overall', [s.status.overall, s.status.counts, s.generatedAt], () => renderOverall(byId('overall'), s, lang));
  section('consent', s.consent.live, () => renderConsent(byId('consent-prompt'), byId('assist-banner'), s, lang, consentAct));
  section('faults', s.faults, () => renderFaults(byId('faults'), s, lang));
  section('checks', s.checks, () => renderChecks(byId('checks'), s, lang));
  section('tunnel', [s.status.tunnel, s.status.store], () => renderTunnel(byId('tunnel'), s, lang));
  section('site', [s.status.site, s.status.agent.id, s.status.agent.version, s.status.agent.startedAt], () => renderSite(byId('site'), s, lang));
  section('history', s.history, () => renderHistory(byId('history'), s, lang));
  byId('footer-agent').textContent =
    'Guardpost ' + s.status.agent.version + ' · ' + t(lang, 'pid') + ' ' + s.status.agent.pid + ' · ' +
    t(lang, 'rss') + ' ' + (s.status.process.rssBytes / 1048576).toFixed(0) + ' MB';
  updateRun();
  tick();
}

/* ---- live stream ---- */

function connect(): void {
  clearTimeout(reconnectTimer);
  if (source) source.close();
  lastMessage = Date.now();
  const stream = new EventSource('/events');
  source = stream;
  stream.addEventListener('state', onState);
  stream.onerror = () => {
    markLost();
    // A network error is retried by the browser itself; an HTTP error (agent stopping: 503) closes the stream for good.
    if (stream.readyState === EventSource.CLOSED) scheduleReconnect();
  };
}

function scheduleReconnect(): void {
  clearTimeout(reconnectTimer);
  reconnectTimer = window.setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, 10000);
}

function onState(ev: MessageEvent<string>): void {
  lastMessage = Date.now();
  let s: Snapshot;
  try {
    s = JSON.parse(ev.data) as Snapshot;
  } catch {
    return;
  }
  if (s.instance !== instance) {
    // The agent restarted: its page token changed with it, so load the page afresh.
    if (source) source.close();
    const lost = byId('lost');
    lost.hidden = false;
    lost.textContent = t(lang, 'reloading');
    window.location.reload();
    return;
  }
  backoff = 1000;
  snap = s;
  lostSince = null;
  document.body.classList.remove('is-lost');
  updateLost();
  draw();
}

function markLost(): void {
  if (!lostSince) lostSince = new Date();
  document.body.classList.add('is-lost');
  updateLost();
}

function updateLost(): void {
  const el = byId('lost');
  el.hidden = !lostSince;
  if (lostSince) el.textContent = t(lang, 'lost', { t: clock(lostSince.toISOString()) });
}

/** Seconds since iso (negative: until it). */
function secondsSince(iso: string): number {
  return (Date.now() - new Date(iso).getTime()) / 1000;
}

/** An attribute the selector that found el asked for, so it is there. */
function attr(el: Element, name: string): string {
  return el.getAttribute(name) || '';
}

/** Every second: relative times, countdowns, and the watchdog for a silent stream. */
function tick(): void {
  each('[data-ago]', (el) => {
    el.textContent = ago(lang, attr(el, 'data-ago'));
  });
  each('[data-until]', (el) => {
    const key = attr(el, 'data-key');
    if (isWordKey(key)) el.textContent = t(lang, key, { s: Math.max(0, Math.ceil(-secondsSince(attr(el, 'data-until')))) });
  });
  each('[data-age]', (el) => {
    el.textContent = span(lang, secondsSince(attr(el, 'data-age')));
  });
  each('[data-since]', (el) => {
    el.textContent = t(lang, 'assistTime', { d: mmss(secondsSince(attr(el, 'data-since'))), t: clock(el.getAttribute('data-ends')) });
  });
}

window.setInterval(() => {
  if (Date.now() - lastMessage > SILENCE_MS) {
    markLost();
    connect();
  }
  tick();
}, 1000);

/* ---- actions ---- */

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A state change: same origin, with this start's CSRF token. Resolves to the JSON answer, rejects with its error. */
function post<T>(url: string, body?: object): Promise<T> {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'content-type': 'application/json', 'x-guardpost-csrf': csrf },
    body: JSON.stringify(body || {}),
  }).then((r) =>
    r
      .json()
      .catch(() => ({}))
      .then((j: { error?: string }) => {
        if (!r.ok) throw new Error(j.error || 'HTTP ' + r.status);
        return j as T;
      }),
  );
}

function toast(text: string, kind?: 'ok' | 'error'): void {
  const el = byId('toast');
  el.textContent = text;
  el.className = 'toast toast-' + (kind || 'info');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => {
    el.hidden = true;
  }, 6000);
}

/** Busy from the click until the stream shows that run finished (or a later one). */
function busy(): boolean {
  const run: ManualRun = snap ? snap.run : { running: false };
  if (requestedRun && requestedRun !== 'sent' && run.startedAt && run.startedAt >= requestedRun && !run.running) requestedRun = null;
  return requestedRun !== null || run.running;
}

function updateRun(): void {
  const btn = byId('run-checks', HTMLButtonElement);
  const isBusy = busy();
  btn.disabled = isBusy || !snap;
  btn.textContent = t(lang, isBusy ? 'running' : 'runChecks');
  const run = snap ? snap.run : null;
  byId('run-note').textContent =
    !isBusy && run && run.finishedAt ? (run.error ? t(lang, 'runFailed', { e: run.error }) : t(lang, 'runDone', { t: clock(run.finishedAt) })) : '';
}

function runChecks(): void {
  requestedRun = 'sent';
  updateRun();
  post<RunAccepted>('/api/checks/run', {}).then(
    (j) => {
      requestedRun = j.run && j.run.startedAt ? j.run.startedAt : null;
      updateRun();
    },
    (e: unknown) => {
      requestedRun = null;
      updateRun();
      toast(t(lang, 'runFailed', { e: messageOf(e) }), 'error');
    },
  );
}

function consentAct(action: ConsentAction, id: string): void {
  post<ConsentSession>('/api/consent/' + encodeURIComponent(id) + '/' + action, {}).then(
    (session) => {
      if (!snap) return;
      snap.consent.live = session.state === 'pending' || session.state === 'active' ? session : null;
      drawn.consent = null;
      draw();
    },
    (e: unknown) => toast(t(lang, 'actionFailed', { e: messageOf(e) }), 'error'),
  );
}

/** No clipboard API (or it refused): show the text selected, try the old copy command, and say which happened. */
function showFallback(text: string): void {
  const area = byId('diag-text', HTMLTextAreaElement);
  area.value = text;
  byId('diag-panel').hidden = false;
  area.focus();
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  toast(t(lang, copied ? 'copied' : 'copyFailed'), copied ? 'ok' : 'error');
}

function copyDiagnostics(): void {
  fetch('/api/diagnostics?lang=' + lang, { cache: 'no-store', credentials: 'same-origin' })
    .then((r) => {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text();
    })
    .then(
      (text) => {
        // Older browsers (and plain-http origins other than loopback) have no navigator.clipboard.
        const clipboard: Clipboard | undefined = navigator.clipboard;
        if (!clipboard || !clipboard.writeText) return showFallback(text);
        return clipboard.writeText(text).then(
          () => toast(t(lang, 'copied'), 'ok'),
          () => showFallback(text),
        );
      },
      (e: unknown) => toast(t(lang, 'actionFailed', { e: messageOf(e) }), 'error'),
    );
}

byId('run-checks').addEventListener('click', runChecks);
byId('copy-diag').addEventListener('click', copyDiagnostics);
byId('lang-toggle').addEventListener('click', () => setLang(lang === 'en' ? 'zh' : 'en'));
byId('diag-close').addEventListener('click', () => {
  byId('diag-panel').hidden = true;
});
applyStaticText();
connect();
