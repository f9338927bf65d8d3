// The REST alternative: a client generated from Hone's OpenAPI document with openapi-typescript, called with
// openapi-fetch. client-package.test.ts generates hone-api.d.ts from a live server first.
import createClient from 'openapi-fetch';
import type { paths } from './hone-api.js';

const [url, apiKey] = process.argv.slice(2);
if (!url) throw new Error('usage: node rest-gateway.js <hone url> [api key]');
const hone = createClient<paths>({ baseUrl: url, headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {} });

const recorded = await hone.POST('/tools/record_metric', {
  body: { name: 'rest_gateway_latency', value: 12.5, unit: 'ms', context: { layer: 'fast' } },
});
const heuristics = await hone.GET('/tools/get_routing_heuristics', { params: { query: { activeOnly: true } } });
const refused = await hone.POST('/tools/record_metric', { body: { name: 'rest_gateway_latency', value: 1, unit: '' } });
// @ts-expect-error the generated types know record_metric's fields: value is a number
const wrongType = () => hone.POST('/tools/record_metric', { body: { name: 'x', value: 'fast', unit: 'ms' } });

console.log(
  JSON.stringify({
    recorded: recorded.data,
    recordedStatus: recorded.response.status,
    heuristicsStatus: heuristics.response.status,
    refusedStatus: refused.response.status,
    refusedFields: refused.error?.error.issues.map((issue) => issue.path.join('.')),
    unusedChecks: [typeof wrongType],
  }),
);
