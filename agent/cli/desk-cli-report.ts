import { writeFile } from 'node:fs/promises';
import { renderFleetHtml } from '../../desk/client/fleet-html.js';
import type { FleetSummary } from '../../desk/fleet-report.js';
import type { ServiceReport } from '../../desk/service-report.js';
import type { TicketFigures } from '../../desk/tickets/ticket-types.js';
import { ChromiumMissingError, htmlToPdf } from '../report/render/chromium.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

/** desk-cli report --format html|pdf: the fleet's month as printable A4, a PDF through headless chromium. */
export async function printFleet(r: ServiceReport & { month: string; fleet: FleetSummary; tickets: TicketFigures }, format: 'html' | 'pdf', out: string | undefined, site: string | undefined, io: CliIO): Promise<number> {
  const html = renderFleetHtml(r, site);
  if (format === 'html' && !out) return io.out(html), EXIT.ok;
  const file = out ?? `guardpost-service-report-${site ?? 'fleet'}-${r.month}.pdf`;
  try {
    await writeFile(file, format === 'pdf' ? await htmlToPdf(html, io.env) : html);
  } catch (err) {
    if (!(err instanceof ChromiumMissingError)) throw err;
    io.err(`${err.zh}\n${err.en}`);
    return EXIT.unavailable;
  }
  io.err(`已生成 / written: ${file}`);
  return EXIT.ok;
}
