import { GetRoutingHeuristicsInput, ResolveRouteInput, UpdateRoutingHeuristicInput } from '../schemas/routing';
import { getRoutingHeuristics, resolveRoute, updateRoutingHeuristic } from '../services/routing';
import { defineTool } from './define';

export const updateRoutingHeuristicTool = defineTool({
  name: 'update_routing_heuristic',
  description:
    'Create or update a routing rule: requests whose input matches the regex pattern go to a layer (fast, balanced, deep) and optionally a named model. ' +
    'Keyed on pattern; fields you omit keep their stored values and metadata is merged. Higher priority rules are checked first. ' +
    'Patterns that can backtrack catastrophically are refused.',
  input: UpdateRoutingHeuristicInput,
  readOnly: false,
  handler: ({ prisma }, input) => updateRoutingHeuristic(prisma, input),
});

export const getRoutingHeuristicsTool = defineTool({
  name: 'get_routing_heuristics',
  description:
    'List routing rules in evaluation order (priority descending, then most recently updated). By default only active rules.',
  input: GetRoutingHeuristicsInput,
  readOnly: true,
  handler: ({ prisma }, input) => getRoutingHeuristics(prisma, input),
});

export const resolveRouteTool = defineTool({
  name: 'resolve_route',
  description:
    'Decide where a request should go: the highest-priority active rule whose pattern matches the input gives the layer and model; ' +
    'with no match, the default layer. Each decision is counted for hit-rate statistics unless dryRun is true.',
  input: ResolveRouteInput,
  readOnly: false,
  handler: ({ prisma }, input) => resolveRoute(prisma, input),
});
