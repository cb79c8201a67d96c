import { GatewayError } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../lib/json-value.js';

/**
 * JSON Schema (OpenAI `tools[].function.parameters`, `response_format.json_schema.schema`) → Gemini.
 *
 * Gemini takes a schema in two forms (docs/reference/gemini.md §2.3, §2.4):
 * - `parametersJsonSchema` / `responseJsonSchema`: JSON Schema as a free JSON value (`$ref`, `$defs`,
 *   `anyOf`, `additionalProperties`, `const`… accepted). Used for every model except the legacy ones
 *   below; only `$schema`/`$id`/`$comment` are removed (meta keywords, no meaning for generation).
 * - `parameters` / `responseSchema`: a protobuf `Schema` (OpenAPI 3.0 subset) that rejects any keyword
 *   it has no field for with 400 "Unknown name" (Portkey#837, `$schema`, `additionalProperties`,
 *   `exclusiveMinimum`, `uniqueItems`, `propertyNames`, `const`…). Used for Gemini 1.x, 2.0 and Gemma,
 *   which predate the JSON Schema fields: `toGeminiSchema` keeps an allow-list of keywords, inlines
 *   local `$ref`s, turns `type: [T, "null"]` into `nullable`, `const` into a one-value `enum`, `oneOf`
 *   into `anyOf`, and drops the rest.
 */

/** Models that only know the OpenAPI-subset `Schema` fields. */
export function usesLegacySchema(model: string): boolean {
  return /(^|[/-])gemini-(1(\.\d+)?|2\.0)(-|$)|(^|[/-])gemma-/i.test(model);
}

const META = new Set(['$schema', '$id', '$comment']);

/** JSON Schema for `parametersJsonSchema` / `responseJsonSchema`: meta keywords removed, the rest kept. */
export function toJsonSchema(schema: JsonObject): JsonObject {
  return stripMeta(schema) as JsonObject;
}

function stripMeta(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripMeta);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) if (!META.has(k)) out[k] = stripMeta(val);
  return out;
}

const KEEP = new Set([
  'description', 'title', 'nullable', 'default', 'example',
  'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'propertyOrdering',
]);
const FORMATS = new Set(['date-time', 'float', 'double', 'int32', 'int64']);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);
const MAX_REF_DEPTH = 16;

/**
 * JSON Schema → Gemini OpenAPI-subset `Schema`. `param` names the request field in the 400 thrown for a
 * schema that cannot be expressed (a recursive `$ref`).
 */
export function toGeminiSchema(schema: JsonObject, param: string): JsonObject {
  const defs = { ...(isJsonObject(schema.definitions) ? schema.definitions : {}), ...(isJsonObject(schema.$defs) ? schema.$defs : {}) };
  return convert(schema, defs, param, []);
}

function convert(node: JsonObject, defs: JsonObject, param: string, refs: string[]): JsonObject {
  if (typeof node.$ref === 'string') {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(node.$ref)?.[1];
    const target = name === undefined ? undefined : defs[name];
    if (!isJsonObject(target)) throw new GatewayError('TG_ERR_BAD_REQUEST', `Unresolvable $ref '${node.$ref}' in schema`, param);
    if (refs.includes(node.$ref) || refs.length >= MAX_REF_DEPTH) {
      throw new GatewayError('TG_ERR_BAD_REQUEST', `Recursive schema ($ref '${node.$ref}') is not supported by this Gemini model`, param);
    }
    const { $ref: _ref, ...siblings } = node;
    return convert({ ...target, ...siblings }, defs, param, [...refs, node.$ref]);
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) if (KEEP.has(k)) out[k] = v;

  let types = (Array.isArray(node.type) ? node.type : [node.type]).filter((t): t is string => typeof t === 'string' && TYPES.has(t));
  if (types.includes('null') && types.length > 1) {
    out.nullable = true;
    types = types.filter((t) => t !== 'null');
  }
  if (types.length === 1) out.type = types[0]!.toUpperCase();
  else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t.toUpperCase() }));

  if (typeof node.format === 'string' && FORMATS.has(node.format)) out.format = node.format;
  // Gemini enums are strings only; a null member becomes `nullable`.
  const members = Array.isArray(node.enum) ? node.enum.filter((e) => e !== null) : [];
  if (members.length > 0 && members.every((e) => typeof e === 'string')) {
    out.enum = members;
    if (members.length < (node.enum as unknown[]).length) out.nullable = true;
  } else if (typeof node.const === 'string') {
    out.enum = [node.const];
  }
  if (out.enum && !out.type) out.type = 'STRING';

  if (isJsonObject(node.properties)) {
    const props: JsonObject = {};
    for (const [name, sub] of Object.entries(node.properties)) props[name] = isJsonObject(sub) ? convert(sub, defs, param, refs) : {};
    out.properties = props;
    if (Array.isArray(node.required)) {
      const required = node.required.filter((r): r is string => typeof r === 'string' && r in props);
      if (required.length > 0) out.required = required;
    }
  }
  const items = Array.isArray(node.items) ? node.items[0] : node.items;
  if (isJsonObject(items)) out.items = convert(items, defs, param, refs);

  const union = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
  if (union) out.anyOf = union.filter(isJsonObject).map((s) => convert(s, defs, param, refs));
  if (Array.isArray(node.allOf)) {
    // Best effort: merge the parts (properties and required lists united).
    for (const part of node.allOf.filter(isJsonObject).map((s) => convert(s, defs, param, refs))) {
      const { properties, required, ...rest } = part;
      Object.assign(out, { ...rest, ...out });
      if (isJsonObject(properties)) out.properties = { ...(isJsonObject(out.properties) ? out.properties : {}), ...properties };
      if (Array.isArray(required)) out.required = [...new Set([...(Array.isArray(out.required) ? out.required : []), ...required])];
    }
  }
  return out;
}

/** A root object schema with no properties: the legacy `parameters` field rejects it ("should be non-empty for OBJECT type"). */
export function isEmptyObjectSchema(schema: JsonObject): boolean {
  return (schema.type === 'OBJECT' || schema.type === undefined) && (!isJsonObject(schema.properties) || Object.keys(schema.properties).length === 0)
    && schema.anyOf === undefined;
}
