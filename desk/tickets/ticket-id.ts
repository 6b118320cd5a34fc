/**
 * Ticket ids people read out on the phone: `T-` and the ticket's number zero-padded to 6 digits (T-000042; the
 * millionth ticket simply has 7). Engineers may type them short: T-42, t-42 and 42 all name T-000042.
 */

const ID_DIGITS = 6;
const TICKET_ID = /^(?:[Tt]-?)?0*([0-9]{1,12})$/;

export const formatTicketId = (num: number): string => `T-${String(num).padStart(ID_DIGITS, '0')}`;

/** The ticket's number, or undefined when the text is no ticket id. */
export function parseTicketId(text: string): number | undefined {
  const m = TICKET_ID.exec(text.trim());
  if (!m) return undefined;
  const num = Number(m[1]);
  return Number.isSafeInteger(num) && num > 0 ? num : undefined;
}
