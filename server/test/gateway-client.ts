// Run as its own process by http-faces.test.ts: a gateway written in TypeScript using the typed client (the
// @hone/client package's source; client-package.test.ts runs the packed package from outside the repository).
import { createHoneClient, HoneClientError } from '../hone-client';

const [url, apiKey] = process.argv.slice(2);
const hone = createHoneClient({ url: url!, apiKey });

// Two calls in one tick travel as one batched request.
const [first, second] = await Promise.all([
  hone.modelPerformance.update.mutate({ modelId: 'gateway-model', taskType: 'typed-client', success: true, latencyMs: 800, cost: 0.002 }),
  hone.modelPerformance.update.mutate({ modelId: 'gateway-model', taskType: 'typed-client', success: false, latencyMs: 1200, cost: 0.002 }),
]);
const analysis = await hone.modelPerformance.analyze.query({ taskType: 'typed-client' });
const badRequest = await hone.modelPerformance.update
  .mutate({ modelId: 'gateway-model', taskType: 'typed-client', success: true, latencyMs: -5, cost: 0 })
  .then(
    () => 'accepted',
    (error: unknown) =>
      error instanceof HoneClientError
        ? `${error.code} ${error.status} ${error.issues.map((issue) => issue.path.join('.')).join(',')}: ${error.message}`
        : `not a HoneClientError: ${String(error)}`,
  );

const [model] = analysis.models;
console.log(
  JSON.stringify({
    modelIds: [first.modelId, second.modelId],
    totalCalls: model?.totalCalls,
    successRate: model?.successRate,
    report: analysis.report,
    badRequest,
  }),
);
