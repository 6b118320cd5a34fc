/** /static/render.js — draws each part of the page from a snapshot (GET /api/snapshot, the stream's `state` events). */
import { fill, h, within, type Child } from './dom.js';
import { ago, ms, span, t, tx, when } from './i18n.js';
import type { CheckView, ConsentSession, FaultView, Lang, ProbeResult, Snapshot } from './snapshot.js';

export type ConsentAction = 'approve' | 'deny' | 'end';

/** A relative time that the page's 1 s tick keeps current. */
function agoEl(lang: Lang, iso: string): HTMLElement {
  return h('span', { class: 'ago', 'data-ago': iso, text: ago(lang, iso) });
}

export function renderOverall(el: HTMLElement, s: Snapshot, lang: Lang): void {
  el.className = 'overall overall-' + s.status.overall;
  const c = s.status.counts;
  fill(within(el, '#overall-word'), [document.createTextNode(tx(lang, s.status.overallText))]);
  fill(within(el, '#overall-sub'), [
    document.createTextNode(t(lang, 'counts', { c: c.critical, m: c.major, n: c.minor }) + ' · ' + t(lang, 'updated', { t: when(s.generatedAt) })),
  ]);
}

function faultCard(f: FaultView, lang: Lang, byKey: ReadonlyMap<string, FaultView>): HTMLElement {
  const other: Lang = lang === 'en' ? 'zh' : 'en';
  const meta = [f.code, f.checkId, f.subject].filter(Boolean).join(' · ');
  const ack = f.delivery === 'acknowledged' && f.acknowledgedBy ? ' (' + f.acknowledgedBy + ')' : '';
  return h('article', { class: 'fault sev-' + f.severity + (f.inhibitedBy.length ? ' muted' : ''), 'data-code': f.code }, [
    h('div', { class: 'fault-head' }, [
      h('span', { class: 'badge sev-' + f.severity, text: t(lang, `sev.${f.severity}`) }),
      h('h3', null, [h('span', { class: 'fault-title', text: tx(lang, f.title) }), h('small', { class: 'fault-title-other', text: tx(other, f.title) })]),
      h('span', { class: 'chip delivery delivery-' + f.delivery, text: t(lang, `delivery.${f.delivery}`) + ack }),
    ]),
    h('p', { class: 'fault-meta' }, [
      meta + ' · ' + t(lang, 'since', { t: when(f.firstSeen) }) + ' (',
      agoEl(lang, f.firstSeen),
      ') · ' + t(lang, 'times', { n: f.occurrences }),
      f.flapping ? ' · ' + t(lang, 'flapping') : '',
    ]),
    h('p', { class: 'fault-detail', text: tx(lang, f.detail) }),
    // The engineer's note comes from the desk: set as text, never as markup.
    f.acknowledgedNote
      ? h('p', { class: 'fault-ack-note', text: t(lang, 'ackNote', { by: f.acknowledgedBy ?? '', t: f.acknowledgedAt ? when(f.acknowledgedAt) : '', note: f.acknowledgedNote }) })
      : null,
    f.inhibitedBy.length ? h('p', { class: 'fault-muted', text: t(lang, 'muted', { f: causes(f, lang, byKey) }) }) : null,
    h('div', { class: 'todo' }, [h('strong', { text: t(lang, 'whatToDo') }), ' ', h('span', { class: 'todo-text', text: tx(lang, f.operator) })]),
  ]);
}

/** The titles of the faults that mute this one (by key), or their keys when they are not open any more. */
function causes(f: FaultView, lang: Lang, byKey: ReadonlyMap<string, FaultView>): string {
  return f.inhibitedBy
    .map((k) => {
      const cause = byKey.get(k);
      return cause ? tx(lang, cause.title) : k;
    })
    .join('”、“');
}

export function renderFaults(el: HTMLElement, s: Snapshot, lang: Lang): void {
  const byKey = new Map(s.faults.map((f): [string, FaultView] => [f.key, f]));
  const list = s.faults.length ? s.faults.map((f) => faultCard(f, lang, byKey)) : [h('p', { class: 'empty ok-note', text: t(lang, 'noFaults') })];
  fill(el, [h('h2', { text: t(lang, 'faults') + (s.faults.length ? ' (' + s.faults.length + ')' : '') }), ...list]);
}

function phasesText(r: ProbeResult): string {
  const p = r.phases || {};
  return Object.keys(p)
    .map((k) => k + ' ' + ms(p[k]))
    .join(' · ');
}

function checkRow(c: CheckView, lang: Lang): HTMLElement {
  const failed = c.results.filter((r) => r.status !== 'ok');
  const shown = failed.length ? failed : c.results.length === 1 ? c.results : [];
  const details = shown.slice(0, 3).map((r) => h('div', { class: 'result-line' }, [(c.results.length > 1 ? r.subject + ': ' : '') + tx(lang, r.message)]));
  if (!failed.length && c.results.length > 1) details.push(h('div', { class: 'result-line', text: t(lang, 'allOk', { n: c.results.length }) }));
  if (shown.length > 3) details.push(h('div', { class: 'result-line', text: '… +' + (shown.length - 3) }));
  const took = c.results.reduce((m, r) => Math.max(m, r.durationMs), 0);
  const phases = c.results
    .filter((r) => r.phases && Object.keys(r.phases).length)
    .map((r) => h('div', { class: 'phases', text: (c.results.length > 1 ? r.subject + ': ' : '') + phasesText(r) }));
  return h('tr', { class: 'check-' + c.state, 'data-check': c.id }, [
    h('td', null, [h('span', { text: tx(lang, c.title) }), h('small', { class: 'check-id', text: c.id + ' · ' + t(lang, 'every', { s: span(lang, c.intervalSeconds) }) })]),
    h('td', null, [h('span', { class: 'badge state-' + c.state, text: t(lang, `state.${c.state}`) })]),
    h('td', null, c.lastRunAt ? [h('span', { text: when(c.lastRunAt) }), h('br'), agoEl(lang, c.lastRunAt)] : ['-']),
    h('td', null, [h('span', { text: c.results.length ? ms(took) : '-' }), ...phases]),
    h('td', { class: 'details' }, details),
  ]);
}

export function renderChecks(el: HTMLElement, s: Snapshot, lang: Lang): void {
  const head = h('tr', null, (['colCheck', 'colResult', 'colWhen', 'colTime', 'colDetail'] as const).map((k) => h('th', { text: t(lang, k) })));
  fill(el, [
    h('h2', { text: t(lang, 'checks') }),
    h('table', { class: 'checks' }, [h('thead', null, [head]), h('tbody', null, s.checks.map((c) => checkRow(c, lang)))]),
  ]);
}

/** A definition-list row: label, value (text or nodes), and the value's class. */
type Row = readonly [label: string, value: string | readonly Child[], className?: string | null];

function dl(rows: readonly Row[]): HTMLElement {
  const cells: HTMLElement[] = [];
  rows.forEach(([label, value, className]) => {
    cells.push(h('dt', { text: label }), h('dd', { class: className || null }, typeof value === 'string' ? [value] : value));
  });
  return h('dl', null, cells);
}

export function renderTunnel(el: HTMLElement, s: Snapshot, lang: Lang): void {
  const tun = s.status.tunnel;
  const store = s.status.store;
  const rows: Row[] = [
    [t(lang, 'linkState'), [h('span', { class: 'chip tunnel-' + tun.state, text: t(lang, `tunnel.${tun.state}`) })]],
    [t(lang, 'lastContact'), tun.lastContactAt ? [when(tun.lastContactAt) + ' ', agoEl(lang, tun.lastContactAt)] : t(lang, 'never')],
    [t(lang, 'waiting'), String(store.outboxDepth), store.outboxDepth ? 'waiting-count' : null],
  ];
  if (store.oldestPendingAt) rows.push([t(lang, 'oldest'), [when(store.oldestPendingAt) + ' ', agoEl(lang, store.oldestPendingAt)]]);
  if (tun.lastError && tun.state !== 'connected') rows.push([t(lang, 'lastError'), tun.lastError, 'error-text']);
  fill(el, [h('h2', { text: t(lang, 'tunnel') }), dl(rows)]);
}

export function renderSite(el: HTMLElement, s: Snapshot, lang: Lang): void {
  const site = s.status.site;
  const a = s.status.agent;
  fill(el, [
    h('h2', { text: t(lang, 'site') }),
    dl([
      [t(lang, 'institution'), site.fixmedins_name],
      [t(lang, 'code'), site.fixmedins_code, 'mono'],
      [t(lang, 'area'), site.mdtrtarea_admvs, 'mono'],
      [t(lang, 'terminal'), site.terminalId, 'mono'],
      [t(lang, 'agentId'), a.id, 'mono'],
      [t(lang, 'version'), a.version, 'mono'],
      [t(lang, 'uptime'), [h('span', { 'data-age': a.startedAt, text: span(lang, a.uptimeSeconds) })]],
    ]),
  ]);
}

export function renderHistory(el: HTMLElement, s: Snapshot, lang: Lang): void {
  const head = h('tr', null, (['colSeq', 'colWhen', 'colKind', 'colFault', 'colSubject', 'colDesk'] as const).map((k) => h('th', { text: t(lang, k) })));
  const rows = s.history.map((e) =>
    h('tr', { class: 'kind-' + e.kind }, [
      h('td', { class: 'mono', text: String(e.seq) }),
      h('td', { text: when(e.at) }),
      h('td', null, [h('span', { class: 'badge kind-' + e.kind, text: t(lang, `kind.${e.kind}`) })]),
      h('td', null, [h('span', { class: 'badge sev-' + e.severity, text: t(lang, `sev.${e.severity}`) }), ' ', tx(lang, e.title), ' ', h('small', { class: 'mono', text: e.code })]),
      h('td', { text: e.checkId + ' · ' + e.subject }),
      h('td', null, [h('span', { class: 'chip delivery delivery-' + e.delivery, text: t(lang, `delivery.${e.delivery}`) })]),
    ]),
  );
  fill(el, [
    h('h2', { text: t(lang, 'history') }),
    rows.length ? h('div', { class: 'history-scroll' }, [h('table', { class: 'history' }, [h('thead', null, [head]), h('tbody', null, rows)])]) : h('p', { class: 'empty', text: t(lang, 'noHistory') }),
  ]);
}

/** The prompt while a request is pending, the banner while a session runs; both hidden otherwise. */
export function renderConsent(prompt: HTMLElement, banner: HTMLElement, s: Snapshot, lang: Lang, act: (action: ConsentAction, id: string) => void): void {
  const live: ConsentSession | null = s.consent.live;
  prompt.hidden = !live || live.state !== 'pending';
  banner.hidden = !live || live.state !== 'active';
  if (!live) return;
  const who = live.engineer + (live.organisation ? ' (' + live.organisation + ')' : '');
  if (live.state === 'pending') {
    const rows: Row[] = [[t(lang, 'engineer'), who, 'consent-engineer']];
    if (live.ticket) rows.push([t(lang, 'ticket'), live.ticket, 'mono']);
    rows.push(
      [t(lang, 'purpose'), tx(lang, live.purpose)],
      [t(lang, 'wants'), [h('ul', { class: 'caps' }, live.capabilities.map((c) => h('li', { text: t(lang, `cap.${c}`) })))]],
    );
    fill(prompt, [
      h('h2', { text: t(lang, 'consentTitle') }),
      h('p', { class: 'consent-ask', text: t(lang, 'consentAsk') }),
      dl(rows),
      h('p', { class: 'consent-limits' }, [t(lang, 'maxTime', { n: live.maxMinutes }) + ' · ', h('span', { 'data-until': live.expiresAt, 'data-key': 'autoDeny' })]),
      h('div', { class: 'consent-actions' }, [
        h('button', { id: 'consent-approve', class: 'btn btn-approve', text: t(lang, 'approve'), onclick: () => act('approve', live.id) }),
        h('button', { id: 'consent-deny', class: 'btn btn-deny', text: t(lang, 'deny'), onclick: () => act('deny', live.id) }),
      ]),
    ]);
  } else {
    fill(banner, [
      h('strong', { text: t(lang, 'assistOn', { e: who }) }),
      h('span', { class: 'assist-time', 'data-since': live.decidedAt, 'data-ends': live.endsAt }),
      h('button', { id: 'consent-end', class: 'btn btn-end', text: t(lang, 'endAssist'), onclick: () => act('end', live.id) }),
    ]);
  }
}
