import { stxBccProfile } from './stx-bcc.js';
import type { ReaderProfile } from './types.js';

export * from './types.js';
export { stxBccProfile } from './stx-bcc.js';

/** Every known profile by id. A new vendor profile is one file and one line here. */
export const READER_PROFILES: Readonly<Record<string, ReaderProfile>> = Object.freeze({
  [stxBccProfile.id]: stxBccProfile,
});

export const DEFAULT_PROFILE_ID = stxBccProfile.id;

/** The profile with this id; throws naming the known ids, so a typo in config or on the command line is obvious. */
export function getReaderProfile(id: string): ReaderProfile {
  const profile = Object.hasOwn(READER_PROFILES, id) ? READER_PROFILES[id] : undefined;
  if (!profile) throw new Error(`unknown reader profile "${id}"; known: ${Object.keys(READER_PROFILES).join(', ')}`);
  return profile;
}
