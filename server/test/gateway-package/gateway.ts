// A gateway using the installed @hone/client, as a separate project would. client-package.test.ts copies this
// directory outside the repository, installs the packed tarball, type-checks it strictly and runs it.
import { API_VERSION, createHoneClient, HoneClientError, type HoneInputs } from '@hone/client';

const [url, apiKey] = process.argv.slice(2);
if (!url) throw new Error('usage: node gateway.js <hone url> [api key]');
const hone = createHoneClient({ url, apiKey, timeoutMs: 5_000 });

const call: HoneInputs['modelPerformance']['update'] = {
  modelId: 'packaged-model',
  taskType: 'packaged',
  success: true,
  latencyMs: 640,
  cost: 0.001,
};
// Two calls in one tick travel as one batched request.
const [first, second] = await Promise.all([
  hone.modelPerformance.update.mutate(call),
  hone.modelPerformance.update.mutate({ ...call, success: false, latencyMs: 960 }),
]);
const analysis = await hone.modelPerformance.analyze.query({ taskType: 'packaged' });
const model = analysis.models[0];
const successRate: number | undefined = model?.successRate;

// A wrong input is a compile error, not a runtime surprise.
// @ts-expect-error latencyMs is a number
const wrongType = () => hone.modelPerformance.update.mutate({ ...call, latencyMs: '640' });
// @ts-expect-error get_routing_heuristics only reads: it is a query, it has no mutate
const wrongKind = () => hone.routing.listHeuristics.mutate({ activeOnly: true });

let refused: { code: string; status: number | null; fields: string[]; message: string } | undefined;
try {
  await hone.modelPerformance.update.mutate({ ...call, latencyMs: -5 });
} catch (error) {
  if (!(error instanceof HoneClientError)) throw error;
  refused = { code: error.code, status: error.status, fields: error.issues.map((issue) => issue.path.join('.')), message: error.message };
}

// Routing decided here, by the engine the package ships, from Hone's rules: no request per decision.
const router = hone.router({ reportDecisions: false });
const routerReady = await router.ready({ timeoutMs: 30_000 });
const routed = router.decide('Please implement a sorting algorithm', { taskType: 'packaged' });
const routing = {
  ready: routerReady,
  layer: routed.layer,
  state: router.status().state,
  versioned: typeof routed.snapshotVersion === 'string',
};
await router.close();

// Fire-and-forget recording, batched through the ingest tool; close() sends what is left.
hone.track.modelCall({ ...call, taskType: 'packaged-tracked' });
hone.track.metric({ metricName: 'packaged_tracked', metricValue: 12.5, metricUnit: 'ms', at: new Date() });
await hone.track.close();
const { stored, dropped } = hone.track.stats();

console.log(
  JSON.stringify({
    apiVersion: API_VERSION,
    modelIds: [first.modelId, second.modelId],
    totalCalls: model?.totalCalls,
    successRate,
    report: analysis.report,
    refused,
    tracked: { stored, dropped },
    routing,
    unusedChecks: [typeof wrongType, typeof wrongKind],
  }),
);
