// The static rules' choice for a prompt, as the in-process replay and the scenario checks take it: the first rule (by
// priority, highest first) whose pattern matches, case-insensitively, names the model, or its layer's model when it
// names none; no match goes to the default layer (balanced). The faces runs ask Hone's own router instead.
import type { RoutingLayer } from '../../packages/client/src/routing/types';
import { RegretAccount } from './metrics';
import type { Scenario, StaticRule, World } from './scenario';

export interface StaticRoute {
  /** The rule that matched, if one did. */
  rule: StaticRule | undefined;
  layer: RoutingLayer;
  model: string;
}

/** A router for `rules` over the scenario's layer models: compiles the patterns once. */
export function staticRouter(rules: readonly StaticRule[], layerModels: Scenario['layerModels']): (prompt: string) => StaticRoute {
  const ordered = [...rules].sort((a, b) => b.priority - a.priority).map((rule) => ({ rule, re: new RegExp(rule.pattern, 'i') }));
  return (prompt) => {
    const rule = ordered.find((candidate) => candidate.re.test(prompt))?.rule;
    const layer = rule?.layer ?? 'balanced';
    return { rule, layer, model: rule?.model ?? layerModels[layer] };
  };
}

/** The static rules' regret over the world's whole run (the replay's and the informed learner's baseline). */
export function staticRegret(world: World): number {
  const route = staticRouter(world.scenario.staticRules, world.scenario.layerModels);
  const account = new RegretAccount(world);
  for (let index = 0; index < world.options.requests; index++) {
    const request = world.request(index);
    account.record(index, request.taskType, route(request.prompt).model, 0);
  }
  return account.regret;
}
