import { z } from 'zod';
import type { AnyTool } from '../tools/define';

type JsonSchema = { type?: string | string[]; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; properties?: Record<string, JsonSchema> };

const propertyTypesCache = new WeakMap<AnyTool, Map<string, Set<string>>>();

function typesOf(schema: JsonSchema | undefined, into = new Set<string>()): Set<string> {
  if (!schema) return into;
  if (typeof schema.type === 'string') into.add(schema.type);
  if (Array.isArray(schema.type)) schema.type.forEach((t) => into.add(t));
  for (const alternative of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) typesOf(alternative, into);
  return into;
}

/** The JSON types each top-level input field accepts, read from the same JSON Schema MCP and OpenAPI publish. */
function propertyTypes(tool: AnyTool): Map<string, Set<string>> {
  let types = propertyTypesCache.get(tool);
  if (!types) {
    const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    types = new Map(Object.entries(schema.properties ?? {}).map(([key, property]) => [key, typesOf(property)]));
    propertyTypesCache.set(tool, types);
  }
  return types;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function coerce(value: string, types: Set<string> | undefined): unknown {
  if (!types) return value;
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if ((types.has('number') || types.has('integer')) && NUMBER.test(value)) return Number(value);
  if (types.has('null') && value === 'null') return null;
  if ((types.has('object') || types.has('array')) && !types.has('string')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  // Anything else stays a string, so the schema names the field when it is the wrong kind.
  return value;
}

/**
 * A GET's query string as the tool's input: `?activeOnly=true&limit=20` becomes `{ activeOnly: true, limit: 20 }`.
 * Only the exact spellings are converted ("false" is false, never truthy); a repeated key makes an array.
 */
export function inputFromQuery(tool: AnyTool, params: URLSearchParams): Record<string, unknown> {
  const types = propertyTypes(tool);
  // Built with fromEntries, so `?__proto__=x` is an own key the input guard refuses by name, as it is in a JSON body
  // (an assignment would set the prototype or, for a string, drop the parameter without a word). Next.js drops that
  // parameter before a route handler runs today; this does not rely on it.
  return Object.fromEntries(
    [...new Set(params.keys())].map((key) => {
      const fieldTypes = types.get(key);
      const values = params.getAll(key);
      const value =
        fieldTypes?.has('array') && !fieldTypes.has('string') && values.length > 0 && !values[0]!.startsWith('[')
          ? values
          : values.length > 1
            ? values.map((value) => coerce(value, fieldTypes))
            : coerce(values[0]!, fieldTypes);
      return [key, value];
    }),
  );
}
