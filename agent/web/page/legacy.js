// @ts-check
/**
 * /static/legacy.js — loaded only by browsers without ES modules (`nomodule`: IE11, old 360 compatibility mode),
 * which could not run the page anyway (no EventSource either). Says so in both languages instead of showing
 * "connecting…" for ever. ES3-level JavaScript on purpose, copied as written (not compiled): tsconfig.legacy.json
 * type-checks it, agent/web/static/page-assets.test.ts asserts that its syntax is ES5.
 */
(function () {
  var word = document.getElementById('overall-word');
  var sub = document.getElementById('overall-sub');
  if (word) word.innerText = '此浏览器版本过旧，无法显示本机状态。请用 Chrome、Edge 或 360 浏览器（极速模式）打开本页。';
  if (sub) sub.innerText = 'This browser is too old for this page: open it in Chrome, Edge or 360 Browser (speed mode). The agent keeps monitoring either way.';
})();
