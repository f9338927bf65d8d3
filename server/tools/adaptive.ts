import {
  DeleteRoutingPolicyInput,
  GetRoutingPoliciesInput,
  RecomputeRoutingPoliciesInput,
  SaveRoutingPolicyInput,
} from '../schemas/adaptive';
import { CONTENDER_PROBABILITY } from '../services/adaptive/policy-maths';
import { getRoutingPolicies } from '../services/adaptive/policy-read';
import { deleteRoutingPolicy, saveRoutingPolicy } from '../services/adaptive/policy-store';
import { recomputePolicyParams } from '../services/adaptive/recompute';
import { defineTool } from './define';

export const saveRoutingPolicyTool = defineTool({
  name: 'save_routing_policy',
  description:
    'Create or update an adaptive routing policy: Hone chooses among its candidate models by Thompson sampling on measured outcomes, ' +
    'maximising reward = success (0/1) - costWeight * cost (USD) - latencyWeight * latency (s), with an optional cost ceiling per call, ' +
    `an exploration cap (most traffic to models unlikely to be best; a model at least ${CONTENDER_PROBABILITY * 100}% likely to be best keeps its Thompson share), a minimum sample before a model is trusted and a half-life (in outcomes) ` +
    'discounting old outcomes so the choice follows drift. With taskType it chooses for that task type wherever no rule names a model; ' +
    'a rule names it with policyId (update_routing_heuristic). Keyed on name (or id); omitted fields keep their stored values.',
  input: SaveRoutingPolicyInput,
  readOnly: false,
  example: {
    name: 'coding models',
    taskType: 'coding',
    candidates: ['claude-sonnet-4', 'gpt-4o-mini'],
    costWeight: 5,
    explorationCap: 0.1,
  },
  handler: ({ prisma }, input) => saveRoutingPolicy(prisma, input),
});

export const getRoutingPoliciesTool = defineTool({
  name: 'get_routing_policies',
  description:
    'Adaptive routing policies with their current parameters per task type (task type "" = all its task types): each candidate\'s share ' +
    'of the traffic, posterior mean success and reward, (discounted) sample size, whether it is trusted or excluded, and when they were ' +
    "computed. With history: true, each task type's shares over time within from..to (default the last 7 days), averaged into at most 400 points.",
  input: GetRoutingPoliciesInput,
  readOnly: true,
  example: { history: true, from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' },
  handler: ({ prisma }, input) => getRoutingPolicies(prisma, input),
});

export const deleteRoutingPolicyTool = defineTool({
  name: 'delete_routing_policy',
  description:
    'Delete an adaptive routing policy with its parameters and share history. Refused (409) while a routing rule or a running ' +
    "experiment's arm names it. To pause it instead, save it with enabled: false.",
  input: DeleteRoutingPolicyInput,
  readOnly: false,
  destructive: true,
  example: async (call) => {
    const { policy } = await call(saveRoutingPolicyTool, { name: 'a policy made to be deleted', candidates: ['model-a', 'model-b'] });
    return { id: policy.id };
  },
  handler: ({ prisma }, input) => deleteRoutingPolicy(prisma, input),
});

export const recomputeRoutingPoliciesTool = defineTool({
  name: 'recompute_routing_policies',
  description:
    "Recompute every enabled policy's parameters now from the latest outcomes of its decisions (Hone also does so every " +
    "HONE_ADAPTIVE_RECOMPUTE_SECONDS). Answers per policy and task type each candidate's new share beside its previous one, with " +
    'posterior means and sample sizes. Routers (hone.router()) follow within a second.',
  input: RecomputeRoutingPoliciesInput,
  readOnly: false,
  example: async (call) => {
    await call(saveRoutingPolicyTool, { name: 'a policy to recompute', candidates: ['model-a', 'model-b'] });
    return { seed: 1 };
  },
  handler: ({ prisma }, input) => recomputePolicyParams(prisma, { seed: input.seed }),
});
