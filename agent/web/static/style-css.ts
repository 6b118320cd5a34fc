/** /static/style.css — laid out for a 1024×768 terminal screen first: the verdict and the faults above the fold. */
export const STYLE_CSS = String.raw`
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0; background: #eef1f4; color: #1c2530;
  font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Segoe UI", sans-serif;
  line-height: 1.45;
}
[hidden] { display: none !important; }
h2 { font-size: 1.05rem; margin: 0 0 8px; color: #33414f; }
small { color: #5b6573; }
.mono { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.92em; }

.btn {
  font: inherit; font-size: 0.95rem; padding: 7px 14px; border-radius: 6px; cursor: pointer;
  border: 1px solid rgba(0, 0, 0, 0.25); background: #fff; color: #1c2530; min-height: 38px;
}
.btn:hover:not(:disabled) { background: #f2f5f8; }
.btn:disabled { opacity: 0.6; cursor: default; }
.btn:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }

/* the verdict */
.overall { display: flex; align-items: center; gap: 16px; padding: 12px 20px; color: #fff; background: #5b6573; }
.overall-ok { background: #1a7f37; }
.overall-degraded { background: #b45309; }
.overall-down { background: #b42318; }
.overall-text { flex: 1; min-width: 0; }
.overall-word { font-size: 1.9rem; font-weight: 700; letter-spacing: 0.02em; }
.overall-sub { font-size: 0.92rem; opacity: 0.92; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; align-items: center; max-width: 520px; }
.run-note { flex-basis: 100%; text-align: right; font-size: 0.85rem; min-height: 1.1em; }

/* lost contact, remote assistance */
.lost { background: #3f3f46; color: #fff; padding: 9px 20px; font-weight: 600; }
.lost::before { content: "⚠ "; }
body.is-lost .layout, body.is-lost .overall { filter: grayscale(1); opacity: 0.55; }
.assist-banner {
  position: sticky; top: 0; z-index: 10; display: flex; gap: 16px; align-items: center;
  background: #5b21b6; color: #fff; padding: 8px 20px;
}
.assist-banner .assist-time { flex: 1; opacity: 0.9; }
.btn-end { background: #fff; color: #5b21b6; font-weight: 700; }
.consent-prompt {
  margin: 12px 20px 0; padding: 14px 18px; background: #fff; border: 3px solid #5b21b6; border-radius: 10px;
  box-shadow: 0 4px 16px rgba(91, 33, 182, 0.25);
}
.consent-prompt h2 { font-size: 1.25rem; color: #5b21b6; }
.consent-ask { margin: 0 0 8px; }
.consent-prompt .caps { margin: 0; padding-left: 1.2em; }
.consent-limits { color: #5b6573; margin: 6px 0 10px; }
.consent-actions { display: flex; gap: 12px; }
.btn-approve { background: #15803d; color: #fff; border-color: #15803d; font-weight: 700; min-width: 130px; }
.btn-deny { background: #fff; color: #b42318; border-color: #b42318; font-weight: 700; min-width: 130px; }

.toast { margin: 8px 20px 0; padding: 8px 14px; border-radius: 6px; background: #e0ecff; }
.toast-ok { background: #dcfce7; }
.toast-error { background: #fee2e2; }
.diag-panel { margin: 8px 20px 0; display: flex; gap: 8px; align-items: flex-start; }
.diag-panel textarea { flex: 1; font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.85rem; }

/* layout: main column and a narrow side column; history below both */
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 290px; gap: 12px; padding: 12px 20px; }
.col-main, .col-side { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.history-card { grid-column: 1 / -1; }
.card { background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08); }
.empty { margin: 4px 0; color: #5b6573; }
.ok-note { color: #1a7f37; font-weight: 600; }

/* faults */
.fault { border-left: 6px solid #9ca3af; padding: 8px 10px; margin-top: 8px; background: #fafbfc; border-radius: 4px; }
.fault.sev-critical { border-color: #b42318; }
.fault.sev-major { border-color: #d97706; }
.fault.sev-minor { border-color: #ca8a04; }
.fault.muted { opacity: 0.75; }
.fault-head { display: flex; align-items: center; gap: 8px; }
.fault-head h3 { flex: 1; margin: 0; font-size: 1.05rem; }
.fault-title-other { margin-left: 8px; font-weight: normal; }
.fault-meta, .fault-detail, .fault-muted { margin: 3px 0; font-size: 0.9rem; }
.fault-meta { color: #5b6573; }
.todo { margin-top: 6px; padding: 6px 10px; background: #fff7e6; border-radius: 4px; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; font-weight: 700; white-space: nowrap; color: #fff; background: #6b7280; }
.badge.sev-critical { background: #b42318; }
.badge.sev-major { background: #d97706; }
.badge.sev-minor { background: #a16207; }
.badge.state-ok { background: #1a7f37; }
.badge.state-fail { background: #b42318; }
.badge.state-pending { background: #6b7280; }
.badge.kind-opened { background: #b42318; }
.badge.kind-resolved { background: #1a7f37; }
.badge.kind-updated { background: #6b7280; }
.badge.kind-acknowledged { background: #1d4ed8; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 4px; font-size: 0.8rem; white-space: nowrap; border: 1px solid currentColor; }
.delivery-waiting { color: #b45309; }
.delivery-received { color: #1d4ed8; }
.delivery-acknowledged { color: #1a7f37; }
.delivery-no-desk { color: #6b7280; }
.tunnel-connected { color: #1a7f37; }
.tunnel-connecting { color: #b45309; }
.tunnel-disconnected { color: #b42318; }
.tunnel-disabled { color: #6b7280; }

/* tables */
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
th { text-align: left; font-weight: 600; color: #5b6573; border-bottom: 1px solid #d8dde3; padding: 4px 6px; white-space: nowrap; }
td { border-bottom: 1px solid #edf0f3; padding: 5px 6px; vertical-align: top; }
.check-id { display: block; }
tr.check-fail td { background: #fff5f5; }
.checks td:nth-child(3) { white-space: nowrap; }
.checks td:nth-child(4) { width: 170px; }
.details { overflow-wrap: anywhere; }
.phases { font-size: 0.8rem; color: #5b6573; overflow-wrap: anywhere; }
.history-scroll { max-height: 360px; overflow-y: auto; }

dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 10px; margin: 0; font-size: 0.92rem; }
dt { color: #5b6573; }
dd { margin: 0; overflow-wrap: anywhere; }
.waiting-count { font-weight: 700; color: #b45309; }
.error-text { color: #b42318; }
.footer { padding: 4px 20px 14px; font-size: 0.8rem; color: #6b7280; }

@media (max-width: 860px) {
  .layout { grid-template-columns: 1fr; }
  .overall { flex-direction: column; align-items: stretch; }
  .actions { justify-content: flex-start; }
}
`;
