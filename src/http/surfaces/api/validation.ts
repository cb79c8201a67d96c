import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';

/**
 * How the dashboard API checks its input. Fastify's default Ajv coerces types and drops unknown fields,
 * which suits a query string (all text) but not a JSON body: coerced, a `null` limit became `0` and `"5"`
 * became `5`, and a misspelt field vanished without a word. Bodies are therefore checked exactly (no
 * coercion, nothing removed, so `additionalProperties: false` refuses an unknown field); params,
 * query strings and headers keep Fastify's coercing defaults. Both compilers are Fastify's own
 * (`@fastify/ajv-compiler`, with ajv-formats), only their options differ.
 */
export function installApiValidation(app: FastifyInstance): void {
  const compilers = AjvCompiler();
  const exact = compilers({}, { customOptions: { coerceTypes: false, removeAdditional: false } });
  const lenient = compilers({}, { customOptions: {} });
  app.setValidatorCompiler((route) => (route.httpPart === 'body' ? exact(route) : lenient(route)));
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(describeSchemaErrors(errors, dataVar)));
}

type ValidationError = FastifySchemaValidationError & { params: Record<string, unknown> };

/**
 * One sentence naming the field and what it must be. Ajv reports a failed `anyOf` (a nullable field) as
 * one error per branch; the type errors among them read best as one list ("integer or null"), and a
 * branch whose type matched (a limit below its minimum) says more than the others' type errors.
 */
export function describeSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): string {
  const all = errors as ValidationError[];
  const unknown = all.find((e) => e.keyword === 'additionalProperties');
  if (unknown) return `Unknown field ${JSON.stringify(unknown.params.additionalProperty)} in ${fieldName(dataVar, unknown.instancePath)}.`;
  const first = all[0];
  if (!first) return `Invalid ${dataVar}.`;
  const atFirst = all.filter((e) => e.instancePath === first.instancePath && e.keyword !== 'anyOf');
  const specific = atFirst.find((e) => e.keyword !== 'type' && e.keyword !== 'const');
  const field = fieldName(dataVar, first.instancePath);
  if (specific) return `${field} ${specific.message ?? 'is invalid'}.`;
  const allowed = atFirst.map((e) => (e.keyword === 'const' ? JSON.stringify(e.params.allowedValue) : String(e.params.type)));
  if (allowed.length === 0) return `${field} ${first.message ?? 'is invalid'}.`;
  return `${field} must be ${[...new Set(allowed)].join(' or ')}.`;
}

/** `body` + `/limits/0` → `body.limits[0]`; a field named in a `required` error is in the message already. */
function fieldName(dataVar: string, instancePath: string): string {
  const parts = instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : `${name}.${part}`), dataVar);
}
