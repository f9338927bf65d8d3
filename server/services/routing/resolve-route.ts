import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { env } from '../../env';
import { observeRouteDecision } from '../../monitoring/metrics';
import type { ResolveRouteInput, RoutingLayerValue } from '../../schemas/routing';
import { activeRuleSet } from './active-rules';
import { countRouteDecision } from './decision-counter';

export interface RouteDecision {
  layer: RoutingLayerValue;
  model: string | null;
  ruleId: number | null;
  pattern: string | null;
  reasoning: string;
  counted: boolean;
}

/** The first active rule (in evaluation order) whose pattern matches decides; without one, the default layer. */
export async function resolveRoute(
  prisma: PrismaClient,
  { input, taskType, dryRun }: z.output<typeof ResolveRouteInput>,
  defaultLayer: RoutingLayerValue = env().HONE_DEFAULT_LAYER,
): Promise<RouteDecision> {
  const match = await (await activeRuleSet(prisma)).firstMatch(input);
  const rule = 'rule' in match ? match.rule : null;
  if (!dryRun) {
    await countRouteDecision(prisma, rule?.id ?? null, taskType ?? '');
    observeRouteDecision(rule?.layer ?? defaultLayer, rule ? 'rule_hit' : 'cutOff' in match ? 'cut_off' : 'no_match');
  }
  if ('cutOff' in match) {
    console.warn(
      `Hone: routing rule matching was cut off (${match.cutOff}) on an input of ${input.length.toLocaleString('en')} characters; answered the default layer`,
    );
    return {
      layer: defaultLayer,
      model: null,
      ruleId: null,
      pattern: null,
      reasoning: `Rule matching was cut off because ${match.cutOff}; using the default layer "${defaultLayer}".`,
      counted: !dryRun,
    };
  }
  if (!rule) {
    return {
      layer: defaultLayer,
      model: null,
      ruleId: null,
      pattern: null,
      reasoning: `No active routing rule matched; using the default layer "${defaultLayer}".`,
      counted: !dryRun,
    };
  }
  return {
    layer: rule.layer,
    model: rule.model,
    ruleId: rule.id,
    pattern: rule.pattern,
    reasoning:
      `Matched rule #${rule.id} /${rule.pattern}/ (priority ${rule.priority}) -> ${rule.layer}` +
      (rule.model ? ` / ${rule.model}` : '') +
      (rule.reasoning ? `: ${rule.reasoning}` : '.'),
    counted: !dryRun,
  };
}
