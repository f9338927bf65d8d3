import { z } from 'zod';
import { HONE_API_VERSION } from '../api-version';
import type { AnyTool } from '../tools/define';
import { tools } from '../tools/registry';
import { MAX_BODY_BYTES } from '../http/read-body';

type JsonObject = Record<string, unknown>;

/**
 * zod puts recursive parts (JSON values) in `$defs` and points at them from the schema's root; in an OpenAPI
 * document a `$ref` is read from the document's root, so they move to `components.schemas`, named after the tool.
 */
function inputSchema(tool: AnyTool): { schema: JsonObject; components: JsonObject } {
  const generated = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as JsonObject;
  const { $schema: _dialect, $defs = {}, ...schema } = generated as JsonObject & { $defs?: JsonObject };
  const prefix = `${tool.name}.`;
  const relocate = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"$ref":"#/$defs/', `"$ref":"#/components/schemas/${prefix}`)) as JsonObject;
  return {
    schema: relocate(schema),
    components: Object.fromEntries(Object.entries($defs).map(([name, def]) => [prefix + name, relocate(def)])),
  };
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const retryLaterResponse = (description: string) => ({
  ...errorResponse(`${description}; \`Retry-After\` says in how many seconds to try again`),
  headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } },
});

const ERROR_RESPONSES = {
  '400': errorResponse('Invalid input: `issues` names each bad field'),
  '401': errorResponse('No API key, or an unknown or revoked one (when HONE_AUTH=required)'),
  '403': errorResponse('A read key on a tool that changes data, or a state change from another origin'),
  '404': errorResponse('No such tool'),
  '405': errorResponse('Wrong method: tools that change data accept only POST'),
  '413': errorResponse(`Body larger than ${MAX_BODY_BYTES} bytes`),
  '415': errorResponse('Body that is not JSON'),
  '429': retryLaterResponse('Over the rate limit of the API key (or, with authentication off, of the client address)'),
  '503': retryLaterResponse('The database is unavailable (down, restarting, unreachable or too slow)'),
};

/** GET parameters: each top-level input field, its value coerced to the schema's type (see query-input.ts). */
function queryParameters(schema: JsonObject): JsonObject[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function toolPath(tool: AnyTool, schema: JsonObject): JsonObject {
  const common = {
    summary: tool.name,
    description: tool.description,
    tags: [tool.readOnly ? 'read' : 'write'],
    responses: { '200': { description: "The tool's result as JSON", content: { 'application/json': { schema: {} } } }, ...ERROR_RESPONSES },
  };
  const post = { ...common, operationId: tool.name, requestBody: { required: false, content: { 'application/json': { schema } } } };
  if (!tool.readOnly) return { post };
  return { post, get: { ...common, operationId: `${tool.name}_get`, parameters: queryParameters(schema) } };
}

/**
 * OpenAPI 3.1 for `/tools/<name>`, generated from the registry like the other faces. The server URL is relative
 * ("/": the origin the document was fetched from), so one document serves every origin.
 */
export function openApiDocument(): JsonObject {
  const inputs = tools.map((tool) => ({ tool, ...inputSchema(tool) }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hone self-improvement API',
      version: HONE_API_VERSION,
      'x-hone-api-version': HONE_API_VERSION,
      description:
        'Every Hone tool as REST: POST a JSON body to /tools/<name>; read-only tools also answer GET with query parameters. ' +
        'The same tools are served over MCP at /api/mcp and tRPC at /api/trpc.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: Object.fromEntries(inputs.map(({ tool, schema }) => [`/tools/${tool.name}`, toolPath(tool, schema)])),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run apikey -- create` (when HONE_AUTH=required)' },
      },
      schemas: {
        ...(Object.assign({}, ...inputs.map((input) => input.components)) as JsonObject),
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'issues'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                retryAfterSeconds: { type: 'integer', minimum: 1, description: 'On 429 and 503: as the Retry-After header' },
                issues: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['path', 'message'],
                    properties: { path: { type: 'array', items: { type: ['string', 'integer'] } }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

let cachedDocumentJson: string | undefined;

/** The document as JSON text, built on first use and kept for the process: it changes only with the code. */
export function openApiDocumentJson(): string {
  cachedDocumentJson ??= JSON.stringify(openApiDocument());
  return cachedDocumentJson;
}
