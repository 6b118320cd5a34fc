/**
 * /static/app.js — the page's behaviour: the live stream (and noticing when the agent is gone), the buttons, the
 * language toggle. State comes only from the stream's snapshots; the page never guesses.
 */
export const APP_JS = String.raw`
import { t, clock, ago, span, mmss } from './i18n.js';
import { renderOverall, renderFaults, renderChecks, renderTunnel, renderSite, renderHistory, renderConsent } from './render.js';

var LANG_KEY = 'guardpost.lang';
/** Longer than the server's 10 s heartbeat: silence this long means the stream is dead even if the socket is not. */
var SILENCE_MS = 25000;

var $ = function (id) { return document.getElementById(id); };
var csrf = meta('guardpost-csrf');
var instance = meta('guardpost-instance');
var lang = readLang();
var snap = null;
var drawn = {};
var source = null;
var lostSince = null;
var lastMessage = Date.now();
var reconnectTimer = null;
var backoff = 1000;
var requestedRun = null;
var toastTimer = null;

function meta(name) {
  var m = document.querySelector('meta[name="' + name + '"]');
  return m ? m.getAttribute('content') : '';
}

function readLang() {
  try { return window.localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh'; } catch (e) { return 'zh'; }
}

function setLang(next) {
  lang = next;
  try { window.localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode: the choice lasts this visit */ }
  drawn = {};
  applyStaticText();
  draw();
}

function applyStaticText() {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  document.title = t(lang, 'title');
  [].forEach.call(document.querySelectorAll('[data-i18n]'), function (el) { el.textContent = t(lang, el.getAttribute('data-i18n')); });
  $('lang-toggle').textContent = t(lang, 'langToggle');
  if (!snap) $('overall-word').textContent = t(lang, 'connecting');
  updateRun();
  updateLost();
}

function section(name, data, paint) {
  var key = lang + JSON.stringify(data);
  if (drawn[name] === key) return;
  drawn[name] = key;
  paint();
}

function draw() {
  if (!snap) return;
  var s = snap;
  section('overall', [s.status.overall, s.status.counts, s.generatedAt], function () { renderOverall($('overall'), s, lang); });
  section('consent', s.consent.live, function () { renderConsent($('consent-prompt'), $('assist-banner'), s, lang, consentAct); });
  section('faults', s.faults, function () { renderFaults($('faults'), s, lang); });
  section('checks', s.checks, function () { renderChecks($('checks'), s, lang); });
  section('tunnel', [s.status.tunnel, s.status.store], function () { renderTunnel($('tunnel'), s, lang); });
  section('site', [s.status.site, s.status.agent.id, s.status.agent.version, s.status.agent.startedAt], function () { renderSite($('site'), s, lang); });
  section('history', s.history, function () { renderHistory($('history'), s, lang); });
  $('footer-agent').textContent = 'Guardpost ' + s.status.agent.version + ' · ' + t(lang, 'pid') + ' ' + s.status.agent.pid + ' · ' +
    t(lang, 'rss') + ' ' + (s.status.process.rssBytes / 1048576).toFixed(0) + ' MB';
  updateRun();
  tick();
}

/* ---- live stream ---- */

function connect() {
  clearTimeout(reconnectTimer);
  if (source) source.close();
  lastMessage = Date.now();
  source = new EventSource('/events');
  source.addEventListener('state', onState);
  source.onerror = function () {
    markLost();
    // A network error is retried by the browser itself; an HTTP error (agent stopping: 503) closes the stream for good.
    if (source.readyState === 2) scheduleReconnect();
  };
}

function scheduleReconnect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, 10000);
}

function onState(ev) {
  lastMessage = Date.now();
  var s;
  try { s = JSON.parse(ev.data); } catch (e) { return; }
  if (s.instance !== instance) {
    // The agent restarted: its page token changed with it, so load the page afresh.
    source.close();
    $('lost').hidden = false;
    $('lost').textContent = t(lang, 'reloading');
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

function markLost() {
  if (!lostSince) lostSince = new Date();
  document.body.classList.add('is-lost');
  updateLost();
}

function updateLost() {
  var el = $('lost');
  el.hidden = !lostSince;
  if (lostSince) el.textContent = t(lang, 'lost', { t: clock(lostSince.toISOString()) });
}

/** Every second: relative times, countdowns, and the watchdog for a silent stream. */
function tick() {
  [].forEach.call(document.querySelectorAll('[data-ago]'), function (el) { el.textContent = ago(lang, el.getAttribute('data-ago')); });
  [].forEach.call(document.querySelectorAll('[data-until]'), function (el) {
    var left = (new Date(el.getAttribute('data-until')).getTime() - Date.now()) / 1000;
    el.textContent = t(lang, el.getAttribute('data-key'), { s: Math.max(0, Math.ceil(left)) });
  });
  [].forEach.call(document.querySelectorAll('[data-age]'), function (el) {
    el.textContent = span(lang, (Date.now() - new Date(el.getAttribute('data-age')).getTime()) / 1000);
  });
  [].forEach.call(document.querySelectorAll('[data-since]'), function (el) {
    var since = (Date.now() - new Date(el.getAttribute('data-since')).getTime()) / 1000;
    el.textContent = t(lang, 'assistTime', { d: mmss(since), t: clock(el.getAttribute('data-ends')) });
  });
}

setInterval(function () {
  if (Date.now() - lastMessage > SILENCE_MS) {
    markLost();
    connect();
  }
  tick();
}, 1000);

/* ---- actions ---- */

function post(url, body) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'content-type': 'application/json', 'x-guardpost-csrf': csrf },
    body: JSON.stringify(body || {}),
  }).then(function (r) {
    return r.json().catch(function () { return {}; }).then(function (j) {
      if (!r.ok) throw new Error(j.error || 'HTTP ' + r.status);
      return j;
    });
  });
}

function toast(text, kind) {
  var el = $('toast');
  el.textContent = text;
  el.className = 'toast toast-' + (kind || 'info');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(function () { el.hidden = true; }, 6000);
}

/** Busy from the click until the stream shows that run finished (or a later one). */
function busy() {
  var run = snap ? snap.run : { running: false };
  if (requestedRun && requestedRun !== 'sent' && run.startedAt && run.startedAt >= requestedRun && !run.running) requestedRun = null;
  return requestedRun !== null || run.running;
}

function updateRun() {
  var btn = $('run-checks');
  var isBusy = busy();
  btn.disabled = isBusy || !snap;
  btn.textContent = t(lang, isBusy ? 'running' : 'runChecks');
  var run = snap && snap.run;
  $('run-note').textContent = !isBusy && run && run.finishedAt
    ? (run.error ? t(lang, 'runFailed', { e: run.error }) : t(lang, 'runDone', { t: clock(run.finishedAt) }))
    : '';
}

function runChecks() {
  requestedRun = 'sent';
  updateRun();
  post('/api/checks/run', {}).then(function (j) {
    requestedRun = j.run && j.run.startedAt ? j.run.startedAt : null;
    updateRun();
  }, function (e) {
    requestedRun = null;
    updateRun();
    toast(t(lang, 'runFailed', { e: e.message }), 'error');
  });
}

function consentAct(action, id) {
  post('/api/consent/' + encodeURIComponent(id) + '/' + action, {}).then(function (session) {
    if (!snap) return;
    snap.consent.live = session.state === 'pending' || session.state === 'active' ? session : null;
    drawn.consent = null;
    draw();
  }, function (e) { toast(t(lang, 'actionFailed', { e: e.message }), 'error'); });
}

function showFallback(text) {
  var area = $('diag-text');
  area.value = text;
  $('diag-panel').hidden = false;
  area.focus();
  area.select();
  var copied = false;
  try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
  toast(t(lang, copied ? 'copied' : 'copyFailed'), copied ? 'ok' : 'error');
}

function copyDiagnostics() {
  fetch('/api/diagnostics?lang=' + lang, { cache: 'no-store', credentials: 'same-origin' })
    .then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text();
    })
    .then(function (text) {
      if (!navigator.clipboard || !navigator.clipboard.writeText) return showFallback(text);
      return navigator.clipboard.writeText(text).then(function () { toast(t(lang, 'copied'), 'ok'); }, function () { showFallback(text); });
    }, function (e) { toast(t(lang, 'actionFailed', { e: e.message }), 'error'); });
}

$('run-checks').addEventListener('click', runChecks);
$('copy-diag').addEventListener('click', copyDiagnostics);
$('lang-toggle').addEventListener('click', function () { setLang(lang === 'en' ? 'zh' : 'en'); });
$('diag-close').addEventListener('click', function () { $('diag-panel').hidden = true; });
applyStaticText();
connect();
`;
