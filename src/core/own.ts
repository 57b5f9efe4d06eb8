/**
 * The record's own entry under `key`: a key from a checklist or a person ("constructor",
 * "toString", "__proto__") names no entry, not a property every object has.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
