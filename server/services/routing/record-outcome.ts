import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { HoneError } from '../../errors';
import type { RecordRouteOutcomeInput } from '../../schemas/routing';
import { flushRouteDecisions } from './decision-recorder';
import { recordRouteOutcomes } from './outcome-writer';

export type RouteOutcomeAnswer =
  | {
      decisionId: string;
      recorded: true;
      duplicate: false;
      versionId: number | null;
      ruleId: number | null;
      model: string;
      taskType: string;
    }
  | { decisionId: string; recorded: false; duplicate: true };

export const unknownDecisionMessage = (decisionId: string) =>
  `no routing decision ${decisionId} is stored (unknown, not yet sent by its router, or older than HONE_RETENTION_DECISIONS_DAYS)`;

/**
 * One outcome, attributed to the version and model that decided. This process's queued decisions are written first,
 * so an outcome reported right after resolve_route finds its decision.
 */
export async function recordRouteOutcome(
  prisma: PrismaClient,
  input: z.output<typeof RecordRouteOutcomeInput>,
): Promise<RouteOutcomeAnswer> {
  await flushRouteDecisions(prisma);
  const [verdict] = await recordRouteOutcomes(prisma, [input]);
  const decisionId = input.decisionId.toLowerCase();
  if (verdict!.status === 'unknown') {
    throw new HoneError('NOT_FOUND', `No routing decision with id ${decisionId}`, [
      { path: ['decisionId'], message: unknownDecisionMessage(decisionId) },
    ]);
  }
  if (verdict!.status === 'duplicate') return { decisionId, recorded: false, duplicate: true };
  const { status: _, ...attribution } = verdict!;
  return { decisionId, recorded: true, duplicate: false, ...attribution };
}
