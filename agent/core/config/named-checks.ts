const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The check types a config document names (each entry's `type`, else its id), read before the document is validated
 * so that a service loads only those plugins. Undefined when judging the document may need every plugin: it is not
 * an object, its `checks` is malformed, or it has inhibit rules (they may name any check's fault codes). Unknown
 * names are returned as they are; the loader reports them.
 */
export function checkTypesNamed(doc: unknown): string[] | undefined {
  if (!isObject(doc)) return undefined;
  if (doc.inhibitRules !== undefined && !(Array.isArray(doc.inhibitRules) && doc.inhibitRules.length === 0)) return undefined;
  if (doc.checks === undefined) return [];
  if (!isObject(doc.checks)) return undefined;
  return Object.entries(doc.checks).map(([id, entry]) => (isObject(entry) && typeof entry.type === 'string' ? entry.type : id));
}
