import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../schemas/common';
import { DEFAULT_JSON_LIMITS } from '../schemas/json-limits';
import { tools } from '../tools/registry';

type JsonSchema = Record<string, unknown>;

/**
 * Every place in a tool's JSON Schema where a value has no upper bound: a string without maxLength, an array without
 * maxItems, a number without maximum (references followed, each definition once). JSON `context`/`metadata` fields are
 * bounded as a whole by HONE_MAX_JSON_BYTES and HONE_MAX_JSON_DEPTH, which JSON Schema cannot state (their description
 * says so; input-limits.test.ts checks them on every face), so they are not walked.
 */
function unbounded(root: JsonSchema, tool: string): string[] {
  const definitions = (root.$defs ?? {}) as Record<string, JsonSchema>;
  const followed = new Set<string>();
  const walk = (schema: unknown, at: string): string[] => {
    if (schema === null || typeof schema !== 'object') return [];
    const node = schema as JsonSchema;
    if (typeof node.description === 'string' && node.description.includes('HONE_MAX_JSON_BYTES')) return [];
    if (typeof node.$ref === 'string') {
      if (followed.has(node.$ref)) return [];
      followed.add(node.$ref);
      return walk(definitions[node.$ref.replace('#/$defs/', '')], at);
    }
    const own: string[] = [];
    if (node.type === 'string' && node.maxLength === undefined && node.enum === undefined && node.const === undefined)
      own.push(`${at}: string without maxLength`);
    if (node.type === 'array' && node.maxItems === undefined) own.push(`${at}: array without maxItems`);
    if ((node.type === 'number' || node.type === 'integer') && node.maximum === undefined && node.exclusiveMaximum === undefined)
      own.push(`${at}: number without maximum`);
    const children = Object.entries(node).flatMap(([key, value]) => {
      if (key === 'properties' && value && typeof value === 'object')
        return Object.entries(value).map(([name, child]) => [`${at}.${name}`, child] as const);
      if (key === 'items' || key === 'additionalProperties') return [[`${at}[]`, value] as const];
      if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value))
        return value.map((child) => [at, child] as const);
      return [];
    });
    return [...own, ...children.flatMap(([path, child]) => walk(child, path))];
  };
  return walk(root, tool);
}

const inputSchema = (tool: (typeof tools)[number]) => z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

describe('every input is bounded', () => {
  it('gives every string, array and number of every tool input an upper bound', () => {
    const found = tools.flatMap((tool) => unbounded(inputSchema(tool), tool.name));
    expect(found).toEqual([]);
  });

  it('holds every JSON field (context, metadata) of every tool to the size and depth limits', () => {
    const nested = (depth: number): Record<string, unknown> => (depth === 1 ? { leaf: 1 } : { a: nested(depth - 1) });
    const tooLarge = { blob: 'x'.repeat(DEFAULT_JSON_LIMITS.maxBytes) };
    const checked: string[] = [];
    for (const tool of tools) {
      const properties = (inputSchema(tool).properties ?? {}) as Record<string, JsonSchema>;
      const jsonFields = Object.entries(properties).filter(([, field]) => String(field.description).includes('HONE_MAX_JSON_BYTES'));
      for (const [field] of jsonFields) {
        expect(typeof tool.example, `${tool.name} needs a plain example to check ${field}`).toBe('object');
        for (const [what, value] of [
          ['too deep', nested(DEFAULT_JSON_LIMITS.maxDepth + 1)],
          ['too large', tooLarge],
        ] as const) {
          const parsed = tool.input.safeParse({ ...(tool.example as object), [field]: value });
          expect(parsed.success, `${tool.name}.${field} ${what}`).toBe(false);
          expect(parsed.error!.issues[0]!.path[0], `${tool.name}.${field} ${what}`).toBe(field);
        }
        expect(tool.input.safeParse({ ...(tool.example as object), [field]: nested(DEFAULT_JSON_LIMITS.maxDepth) }).success).toBe(true);
        checked.push(`${tool.name}.${field}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining(['record_metric.context', 'generate_regression_test.metadata', 'update_routing_heuristic.metadata']),
    );
  });

  it(`caps every page size at ${MAX_PAGE_SIZE}`, () => {
    for (const tool of tools) {
      const properties = inputSchema(tool).properties as Record<string, JsonSchema> | undefined;
      for (const name of ['limit', 'pageSize'])
        if (properties?.[name]) expect(properties[name].maximum, `${tool.name}.${name}`).toBeLessThanOrEqual(MAX_PAGE_SIZE);
    }
  });
});
