/**
 * /static/render.js — draws each part of the page from a snapshot (GET /api/snapshot). Text goes in through
 * textContent only: fault details and log lines are data, never markup.
 */
export const RENDER_JS = String.raw`
import { t, tx, when, ago, ms, span } from './i18n.js';

export function h(tag, attrs, children) {
  var el = document.createElement(tag);
  if (attrs) Object.keys(attrs).forEach(function (k) {
    var v = attrs[k];
    if (v === undefined || v === null || v === false) return;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.indexOf('on') === 0) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  });
  (children || []).forEach(function (c) {
    if (c === null || c === undefined || c === false) return;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return el;
}

export function fill(el, children) {
  while (el.firstChild) el.removeChild(el.firstChild);
  children.forEach(function (c) { if (c) el.appendChild(c); });
}

/** A relative time that the page's 1 s tick keeps current. */
function agoEl(lang, iso) {
  return h('span', { class: 'ago', 'data-ago': iso, text: ago(lang, iso) });
}

export function renderOverall(el, s, lang) {
  el.className = 'overall overall-' + s.status.overall;
  var c = s.status.counts;
  fill(el.querySelector('#overall-word'), [document.createTextNode(tx(lang, s.status.overallText))]);
  fill(el.querySelector('#overall-sub'), [
    document.createTextNode(t(lang, 'counts', { c: c.critical, m: c.major, n: c.minor }) + ' · ' + t(lang, 'updated', { t: when(s.generatedAt) })),
  ]);
}

function faultCard(f, lang, byKey) {
  var other = lang === 'en' ? 'zh' : 'en';
  var meta = [f.code, f.checkId, f.subject].filter(Boolean).join(' · ');
  var ack = f.delivery === 'acknowledged' && f.acknowledgedBy ? ' (' + f.acknowledgedBy + ')' : '';
  return h('article', { class: 'fault sev-' + f.severity + (f.inhibitedBy.length ? ' muted' : ''), 'data-code': f.code }, [
    h('div', { class: 'fault-head' }, [
      h('span', { class: 'badge sev-' + f.severity, text: t(lang, 'sev.' + f.severity) }),
      h('h3', null, [h('span', { class: 'fault-title', text: tx(lang, f.title) }), h('small', { class: 'fault-title-other', text: tx(other, f.title) })]),
      h('span', { class: 'chip delivery delivery-' + f.delivery, text: t(lang, 'delivery.' + f.delivery) + ack }),
    ]),
    h('p', { class: 'fault-meta' }, [
      meta + ' · ' + t(lang, 'since', { t: when(f.firstSeen) }) + ' (',
      agoEl(lang, f.firstSeen),
      ') · ' + t(lang, 'times', { n: f.occurrences }),
      f.flapping ? ' · ' + t(lang, 'flapping') : '',
    ]),
    h('p', { class: 'fault-detail', text: tx(lang, f.detail) }),
    f.inhibitedBy.length ? h('p', { class: 'fault-muted', text: t(lang, 'muted', { f: causes(f, lang, byKey) }) }) : null,
    h('div', { class: 'todo' }, [h('strong', { text: t(lang, 'whatToDo') }), ' ', h('span', { class: 'todo-text', text: tx(lang, f.operator) })]),
  ]);
}

/** The titles of the faults that mute this one (by key), or their keys when they are not open any more. */
function causes(f, lang, byKey) {
  return f.inhibitedBy.map(function (k) { return byKey[k] ? tx(lang, byKey[k].title) : k; }).join('”、“');
}

export function renderFaults(el, s, lang) {
  var byKey = {};
  s.faults.forEach(function (f) { byKey[f.key] = f; });
  var list = s.faults.length ? s.faults.map(function (f) { return faultCard(f, lang, byKey); }) : [h('p', { class: 'empty ok-note', text: t(lang, 'noFaults') })];
  fill(el, [h('h2', { text: t(lang, 'faults') + (s.faults.length ? ' (' + s.faults.length + ')' : '') })].concat(list));
}

function phasesText(r) {
  var p = r.phases || {};
  var keys = Object.keys(p);
  return keys.length ? keys.map(function (k) { return k + ' ' + ms(p[k]); }).join(' · ') : '';
}

function checkRow(c, lang) {
  var failed = c.results.filter(function (r) { return r.status !== 'ok'; });
  var shown = failed.length ? failed : c.results.length === 1 ? c.results : [];
  var details = shown.slice(0, 3).map(function (r) {
    return h('div', { class: 'result-line' }, [(c.results.length > 1 ? r.subject + ': ' : '') + tx(lang, r.message)]);
  });
  if (!failed.length && c.results.length > 1) details.push(h('div', { class: 'result-line', text: t(lang, 'allOk', { n: c.results.length }) }));
  if (shown.length > 3) details.push(h('div', { class: 'result-line', text: '… +' + (shown.length - 3) }));
  var took = c.results.reduce(function (m, r) { return Math.max(m, r.durationMs); }, 0);
  var phases = c.results
    .filter(function (r) { return r.phases && Object.keys(r.phases).length; })
    .map(function (r) { return h('div', { class: 'phases', text: (c.results.length > 1 ? r.subject + ': ' : '') + phasesText(r) }); });
  return h('tr', { class: 'check-' + c.state, 'data-check': c.id }, [
    h('td', null, [h('span', { text: tx(lang, c.title) }), h('small', { class: 'check-id', text: c.id + ' · ' + t(lang, 'every', { s: span(lang, c.intervalSeconds) }) })]),
    h('td', null, [h('span', { class: 'badge state-' + c.state, text: t(lang, 'state.' + c.state) })]),
    h('td', null, c.lastRunAt ? [h('span', { text: when(c.lastRunAt) }), h('br'), agoEl(lang, c.lastRunAt)] : ['-']),
    h('td', null, [h('span', { text: c.results.length ? ms(took) : '-' })].concat(phases)),
    h('td', { class: 'details' }, details),
  ]);
}

export function renderChecks(el, s, lang) {
  var head = h('tr', null, ['colCheck', 'colResult', 'colWhen', 'colTime', 'colDetail'].map(function (k) { return h('th', { text: t(lang, k) }); }));
  fill(el, [
    h('h2', { text: t(lang, 'checks') }),
    h('table', { class: 'checks' }, [h('thead', null, [head]), h('tbody', null, s.checks.map(function (c) { return checkRow(c, lang); }))]),
  ]);
}

function dl(rows) {
  return h('dl', null, rows.reduce(function (acc, r) {
    return acc.concat([h('dt', { text: r[0] }), h('dd', { class: r[2] || null }, Array.isArray(r[1]) ? r[1] : [String(r[1])])]);
  }, []));
}

export function renderTunnel(el, s, lang) {
  var tun = s.status.tunnel;
  var store = s.status.store;
  var rows = [
    [t(lang, 'linkState'), [h('span', { class: 'chip tunnel-' + tun.state, text: t(lang, 'tunnel.' + tun.state) })]],
    [t(lang, 'lastContact'), tun.lastContactAt ? [when(tun.lastContactAt) + ' ', agoEl(lang, tun.lastContactAt)] : t(lang, 'never')],
    [t(lang, 'waiting'), String(store.outboxDepth), store.outboxDepth ? 'waiting-count' : null],
  ];
  if (store.oldestPendingAt) rows.push([t(lang, 'oldest'), [when(store.oldestPendingAt) + ' ', agoEl(lang, store.oldestPendingAt)]]);
  if (tun.lastError && tun.state !== 'connected') rows.push([t(lang, 'lastError'), tun.lastError, 'error-text']);
  fill(el, [h('h2', { text: t(lang, 'tunnel') }), dl(rows)]);
}

export function renderSite(el, s, lang) {
  var site = s.status.site;
  var a = s.status.agent;
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

export function renderHistory(el, s, lang) {
  var head = h('tr', null, ['colSeq', 'colWhen', 'colKind', 'colFault', 'colSubject', 'colDesk'].map(function (k) { return h('th', { text: t(lang, k) }); }));
  var rows = s.history.map(function (e) {
    return h('tr', { class: 'kind-' + e.kind }, [
      h('td', { class: 'mono', text: String(e.seq) }),
      h('td', { text: when(e.at) }),
      h('td', null, [h('span', { class: 'badge kind-' + e.kind, text: t(lang, 'kind.' + e.kind) })]),
      h('td', null, [h('span', { class: 'badge sev-' + e.severity, text: t(lang, 'sev.' + e.severity) }), ' ', tx(lang, e.title), ' ', h('small', { class: 'mono', text: e.code })]),
      h('td', { text: e.checkId + ' · ' + e.subject }),
      h('td', null, [h('span', { class: 'chip delivery delivery-' + e.delivery, text: t(lang, 'delivery.' + e.delivery) })]),
    ]);
  });
  fill(el, [
    h('h2', { text: t(lang, 'history') }),
    rows.length ? h('div', { class: 'history-scroll' }, [h('table', { class: 'history' }, [h('thead', null, [head]), h('tbody', null, rows)])]) : h('p', { class: 'empty', text: t(lang, 'noHistory') }),
  ]);
}

/** The prompt while a request is pending, the banner while a session runs; both hidden otherwise. */
export function renderConsent(prompt, banner, s, lang, act) {
  var live = s.consent.live;
  prompt.hidden = !live || live.state !== 'pending';
  banner.hidden = !live || live.state !== 'active';
  if (!live) return;
  var who = live.engineer + (live.organisation ? ' (' + live.organisation + ')' : '');
  if (live.state === 'pending') {
    fill(prompt, [
      h('h2', { text: t(lang, 'consentTitle') }),
      h('p', { class: 'consent-ask', text: t(lang, 'consentAsk') }),
      dl([
        [t(lang, 'engineer'), who, 'consent-engineer'],
        live.ticket ? [t(lang, 'ticket'), live.ticket, 'mono'] : null,
        [t(lang, 'purpose'), tx(lang, live.purpose)],
        [t(lang, 'wants'), [h('ul', { class: 'caps' }, live.capabilities.map(function (c) { return h('li', { text: t(lang, 'cap.' + c) }); }))]],
      ].filter(Boolean)),
      h('p', { class: 'consent-limits' }, [
        t(lang, 'maxTime', { n: live.maxMinutes }) + ' · ',
        h('span', { 'data-until': live.expiresAt, 'data-key': 'autoDeny' }),
      ]),
      h('div', { class: 'consent-actions' }, [
        h('button', { id: 'consent-approve', class: 'btn btn-approve', text: t(lang, 'approve'), onclick: function () { act('approve', live.id); } }),
        h('button', { id: 'consent-deny', class: 'btn btn-deny', text: t(lang, 'deny'), onclick: function () { act('deny', live.id); } }),
      ]),
    ]);
  } else {
    fill(banner, [
      h('strong', { text: t(lang, 'assistOn', { e: who }) }),
      h('span', { class: 'assist-time', 'data-since': live.decidedAt, 'data-ends': live.endsAt }),
      h('button', { id: 'consent-end', class: 'btn btn-end', text: t(lang, 'endAssist'), onclick: function () { act('end', live.id); } }),
    ]);
  }
}
`;
