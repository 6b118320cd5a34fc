/**
 * Print first: A4 with margins for binding, the table header repeated on each page, no row split across pages, the
 * faults and the appendix each on a new page. The screen view is the same page, centred.
 */
export const REPORT_CSS = `
@page { size: A4; margin: 14mm 12mm 16mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 9.5pt; color: #111; margin: 0; line-height: 1.4; }
@media screen { body { max-width: 210mm; margin: 12px auto; padding: 0 12px; } }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1.5px solid #333; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
.en { color: #555; font-weight: normal; font-size: 0.85em; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #888; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #eef1f5; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
.pass { color: #0a6d2c; font-weight: bold; }
.fail { color: #b00020; font-weight: bold; }
.na { color: #777; }
.meta td:first-child { width: 32%; background: #f7f7f7; }
.evidence { color: #444; font-size: 8.5pt; word-break: break-word; }
section.faults, section.appendix { break-before: page; page-break-before: always; }
ol.suggestions li { margin-bottom: 1.5mm; break-inside: avoid; }
.note { color: #555; font-size: 8.5pt; }
.sign { margin-top: 10mm; display: flex; gap: 20mm; }
.sign div { flex: 1; border-top: 0.6pt solid #333; padding-top: 1mm; }
`;
