/** A JSON object as `JSON.parse` gives it for `{…}`: its fields are not yet known. */
export type JsonObject = Record<string, unknown>;

/** True for an object that is not an array (nor null): what a `{…}` in parsed JSON is. */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
