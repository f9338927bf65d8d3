import type { PrismaClient } from '../../db/client';
import { HoneError } from '../../errors';
import type { SuggestedExperiment } from './suggest';

// The one place suggestions reach the experiments service. That service (server/services/experiments/experiments.ts,
// `createExperiment(prisma, input, ctx)`) is built on another branch: until it is merged this answers 501. At merge:
//   import { createExperiment } from '../experiments/experiments';
//   export const createSuggestedExperiment: CreateSuggestedExperiment = (prisma, input, ctx) => createExperiment(prisma, input, ctx);

export type CreateSuggestedExperiment = (
  prisma: PrismaClient,
  input: SuggestedExperiment,
  ctx: { changedBy?: string | null },
) => Promise<unknown>;

export const EXPERIMENTS_UNAVAILABLE = 'experiments are not available in this build';

export const createSuggestedExperiment: CreateSuggestedExperiment = () =>
  Promise.reject(new HoneError('NOT_IMPLEMENTED', EXPERIMENTS_UNAVAILABLE, [{ path: ['as'], message: EXPERIMENTS_UNAVAILABLE }]));
