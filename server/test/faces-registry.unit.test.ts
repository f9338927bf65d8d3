import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../rest/openapi';
import { registeredTools, tools } from '../tools/registry';
import { appRouter } from '../trpc/routers/_app';

// The MCP face is checked against the registry over HTTP in http-faces.test.ts (tools/list of a running server).
describe('one registry, every face', () => {
  it('holds the spec tools under their exact names', () => {
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'generate_regression_test',
        'get_regression_tests',
        'update_routing_heuristic',
        'get_routing_heuristics',
        'record_bug_pattern',
        'get_bug_patterns',
        'record_metric',
        'update_model_performance',
        'analyze_metrics',
        'generate_report',
        'resolve_route',
      ]),
    );
  });

  it('gives tRPC exactly one procedure per tool, a query when it only reads', () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    expect(Object.keys(procedures).sort()).toEqual(registeredTools.map((r) => r.procedurePath).sort());
    for (const { tool, procedurePath } of registeredTools) {
      expect(procedures[procedurePath]!._def.type, procedurePath).toBe(tool.readOnly ? 'query' : 'mutation');
    }
  });

  it('documents exactly one REST path per tool in OpenAPI, GET only for read-only tools', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths).sort()).toEqual(tools.map((t) => `/tools/${t.name}`).sort());
    for (const tool of tools) {
      expect(Object.keys(paths[`/tools/${tool.name}`]!).sort(), tool.name).toEqual(tool.readOnly ? ['get', 'post'] : ['post']);
    }
  });

  // Examples that prepare rows first are run on a database by tool-examples.test.ts, and on every face by http-faces.test.ts.
  it('has an example call for every tool, a plain one valid under its schema', () => {
    for (const tool of tools) {
      expect(tool.example, `${tool.name} has no example`).toBeDefined();
      if (typeof tool.example !== 'function') expect(tool.input.safeParse(tool.example).error, tool.name).toBeUndefined();
    }
  });

  it('describes every tool for an agent choosing one', () => {
    for (const tool of tools) expect(tool.description.length, tool.name).toBeGreaterThan(40);
  });
});
