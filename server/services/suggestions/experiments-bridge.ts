import type { PrismaClient } from '../../db/client';
import { HoneError } from '../../errors';
import type { SuggestedExperiment } from './suggest';

// The one place suggestions reach the experiments service. That service (server/services/experiments/experiments.ts,
// `createExperiment(prisma, input: z.output<typeof CreateExperimentInput>, { changedBy })`) is built on the experiments
// branch: until it is merged this answers 501. At merge, replace the export below with (the schema fills the defaults
// alpha, minOutcomes, guard and weights, and checks the arms):
//   import { CreateExperimentInput } from '../../schemas/experiments';
//   import { createExperiment } from '../experiments/experiments';
//   export const createSuggestedExperiment: CreateSuggestedExperiment = (prisma, input, ctx) => {
//     const parsed = CreateExperimentInput.safeParse(input);
//     if (!parsed.success) throw HoneError.fromZod(parsed.error);
//     return createExperiment(prisma, parsed.data, ctx);
//   };
// and turn the 501 test in server/test/suggestions.test.ts into its it.todo.

export type CreateSuggestedExperiment = (
  prisma: PrismaClient,
  input: SuggestedExperiment,
  ctx: { changedBy?: string | null },
) => Promise<unknown>;

export const EXPERIMENTS_UNAVAILABLE = 'experiments are not available in this build';

export const createSuggestedExperiment: CreateSuggestedExperiment = () =>
  Promise.reject(new HoneError('NOT_IMPLEMENTED', EXPERIMENTS_UNAVAILABLE, [{ path: ['as'], message: EXPERIMENTS_UNAVAILABLE }]));
