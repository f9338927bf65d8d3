// The static rules' choice for a prompt, as the in-process replay and the scenario checks take it: the first rule (by
// priority, highest first) whose pattern matches, case-insensitively, names the model, or its layer's model when it
// names none; no match goes to the default layer (balanced). The faces runs ask Hone's own router instead.
import type { RoutingLayer } from '../../packages/client/src/routing/types';
import type { Scenario, StaticRule } from './scenario';

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
