// Must NOT compile: client-package.test.ts expects tsc to name the misspelt field.
import { createHoneClient } from '@hone/client';

const hone = createHoneClient({ url: 'http://localhost:3000' });
await hone.modelPerformance.update.mutate({ modelId: 'm', task_type: 'coding', success: true, latencyMs: 1, cost: 0 });
