import { CheckRoutingRulesInput } from '../schemas/routing-checks';
import { checkRoutingRules } from '../services/routing/check-rules';
import { defineTool } from './define';

export const checkRoutingRulesTool = defineTool({
  name: 'check_routing_rules',
  description:
    'Check the routing rules for mistakes before they cost traffic: patterns the engine refuses (unusable), rules that can never fire ' +
    'because a higher-ranked active rule takes every input they match (never_fires, shown on recent decision inputs and on example ' +
    'inputs built from the pattern), equal-priority rules that both match some input and route it differently (overlap), and patterns ' +
    'that match the empty string or almost every input. Give candidate to check an unsaved rule, or an edit (with its id), in place: ' +
    'the answer is then the warnings concerning it (about it, or naming it as the rule that shadows or overlaps another). ' +
    'Warnings carry the rule id (null: the candidate), a message and the evidence. Reads only.',
  input: CheckRoutingRulesInput,
  readOnly: true,
  example: { candidate: { pattern: '(?i)\\b(refactor|migrate)\\b', preferredLayer: 'deep', priority: 5 } },
  handler: ({ prisma }, input) => checkRoutingRules(prisma, input),
});
