import { WEEKDAYS, type MaintenanceWindow } from './schema.js';

/** Minutes since local midnight of an `HH:MM` the schema already checked. */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const DAY = 24 * 60;

/**
 * The local time span [start, end) of the window occurrence containing `now`, if any. `days` are the days a window
 * starts on; one whose `to` is earlier than its `from` runs overnight, so Friday 22:00–02:00 covers Saturday 01:00.
 * Local time is the terminal's (the process's time zone): the owner wrote the window in the clinic's hours.
 */
export function windowOccurrence(w: MaintenanceWindow, now: Date): { start: Date; end: Date } | undefined {
  const from = minutesOf(w.from);
  const to = minutesOf(w.to);
  const length = to > from ? to - from : to + DAY - from;
  // The occurrence starting today, or (overnight) the one that started yesterday.
  for (const back of [0, 1]) {
    const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() - back);
    if (!w.days.includes(WEEKDAYS[day.getDay()]!)) continue;
    const start = new Date(day.getFullYear(), day.getMonth(), day.getDate(), Math.floor(from / 60), from % 60);
    const end = new Date(start.getFullYear(), start.getMonth(), start.getDate(), Math.floor(from / 60), from % 60 + length);
    if (now >= start && now < end) return { start, end };
  }
  return undefined;
}
