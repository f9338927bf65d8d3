import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { observeRouteDecision } from '../../monitoring/metrics';
import type { ResolveRouteInput } from '../../schemas/routing';
import { activeRuleSet } from './active-rules';
import { decisionFrom, type Decision } from './engine';
import { recordRouteDecision } from './decision-recorder';

export interface RouteDecision extends Decision {
  /** Whether the decision is counted (false for a dry run): counted ones are written within a second. */
  counted: boolean;
}

/**
 * Decides with the shared engine (decide.mjs): the first active rule in evaluation order whose pattern matches decides,
 * else the default layer; matching shadow rules are reported, never decide. The match runs in the match worker; the
 * decision is queued for counting (decision-recorder.ts), not written before the answer.
 */
export async function resolveRoute(
  prisma: PrismaClient,
  { input, taskType, dryRun, requestKey }: z.output<typeof ResolveRouteInput>,
): Promise<RouteDecision> {
  const routing = await activeRuleSet(prisma);
  const match = await routing.match(input);
  const decision = decisionFrom(routing.snapshot, match, { taskType: taskType ?? '', requestKey });
  if (decision.cutOff) {
    console.warn(
      `Hone: routing rule matching was cut off (${decision.cutOff}) on an input of ${input.length.toLocaleString('en')} characters; answered the default layer`,
    );
  }
  if (!dryRun) {
    recordRouteDecision(
      prisma,
      {
        decisionId: decision.decisionId,
        at: new Date(),
        versionId: decision.versionId,
        ruleId: decision.ruleId,
        layer: decision.layer,
        model: decision.model,
        taskType: taskType ?? '',
        shadow: decision.shadow,
        policyId: decision.policyId,
        experimentId: decision.experimentId,
        armId: decision.armId,
      },
      // A decision cut off says nothing of what its input matches: no sample for replay.
      decision.cutOff ? undefined : input,
    );
    observeRouteDecision(decision.layer, decision.ruleId !== null ? 'rule_hit' : decision.cutOff ? 'cut_off' : 'no_match');
  }
  return { ...decision, counted: !dryRun };
}
