/**
 * The page's HTML. Per start, the server fills in the CSRF token and the instance id (both URL-safe base64 or
 * UUID: nothing to escape). Labels carry data-i18n keys; app.js puts the words in. Chinese is the default, so
 * the page reads right even before the script runs.
 */
export const INDEX_HTML = String.raw`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="guardpost-csrf" content="{{CSRF}}">
<meta name="guardpost-instance" content="{{INSTANCE}}">
<title>Guardpost 本机状态</title>
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
<script type="module" src="/static/app.js"></script>
<script nomodule src="/static/legacy.js"></script>
</head>
<body>
<noscript><p class="lost">本页需要启用 JavaScript / This page needs JavaScript. JSON: /api/status</p></noscript>
<div id="lost" class="lost" role="alert" hidden></div>
<div id="assist-banner" class="assist-banner" role="status" hidden></div>
<section id="consent-prompt" class="consent-prompt" role="alertdialog" aria-live="assertive" hidden></section>
<header id="overall" class="overall overall-unknown">
  <div class="overall-text">
    <div id="overall-word" class="overall-word">正在连接监控程序…</div>
    <div id="overall-sub" class="overall-sub"></div>
  </div>
  <div class="actions">
    <button id="run-checks" class="btn" type="button" disabled>立即检查</button>
    <button id="copy-diag" class="btn" type="button" data-i18n="copyDiag">复制诊断信息</button>
    <button id="lang-toggle" class="btn btn-lang" type="button" lang="en">English</button>
    <div id="run-note" class="run-note" role="status"></div>
  </div>
</header>
<div id="toast" class="toast" role="status" hidden></div>
<section id="diag-panel" class="diag-panel" hidden>
  <textarea id="diag-text" readonly rows="10"></textarea>
  <button id="diag-close" class="btn" type="button" data-i18n="close">关闭</button>
</section>
<main class="layout">
  <div class="col-main">
    <section id="faults" class="card faults"><h2 data-i18n="faults">当前故障</h2></section>
    <section id="checks" class="card"><h2 data-i18n="checks">检查项目</h2></section>
  </div>
  <aside class="col-side">
    <section id="tunnel" class="card"><h2 data-i18n="tunnel">服务台连接</h2></section>
    <section id="site" class="card"><h2 data-i18n="site">本机信息</h2></section>
  </aside>
  <section id="history" class="card history-card"><h2 data-i18n="history">最近变化（最近 50 条）</h2></section>
</main>
<footer class="footer"><span id="footer-agent">Guardpost</span> · <a id="report-link" href="/report" target="_blank" rel="noopener">本月巡检报告 / This month's inspection report</a></footer>
</body>
</html>
`;

export function renderIndexHtml(csrfToken: string, instance: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(csrfToken) || !/^[0-9a-f-]+$/.test(instance)) throw new Error('page token or instance id has unexpected characters');
  return INDEX_HTML.replace('{{CSRF}}', csrfToken).replace('{{INSTANCE}}', instance);
}
