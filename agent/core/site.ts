import { Type, type Static } from './schema/type.js';

/**
 * The institution and terminal an agent watches: the config's `site` section, and what the plugin contract hands a
 * probe (ProbeContext.site, e.g. for the platform sign-in envelope). It sits at the bottom of core so the plugin
 * contract (checks/) and the configuration (config/) can both use it without importing each other.
 */
export const SiteSchema = Type.Object(
  {
    fixmedins_code: Type.String({
      pattern: '^[A-Z][0-9]{11}$',
      description: '定点医药机构编码, a capital letter and 11 digits, e.g. "H44010600001" or "P44010600123"',
    }),
    fixmedins_name: Type.String({ minLength: 1, maxLength: 200, description: '定点医药机构名称' }),
    mdtrtarea_admvs: Type.String({ pattern: '^[0-9]{6}$', description: '就医地医保区划, 6 digits, e.g. "440106"' }),
    terminalId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'terminal id, letters, digits, _ . -' }),
  },
  { additionalProperties: false, description: 'the institution and terminal this agent watches; shown on the page and sent to the desk' },
);

export type SiteConfig = Static<typeof SiteSchema>;
