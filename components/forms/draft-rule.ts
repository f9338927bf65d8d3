import { compilePattern } from '../../server/services/routing/matcher';

// What the rule being written in the form would do to a sample input, before it is saved: it is
// evaluated as the router would once saved (highest priority first; among equal priorities the most
// recently updated, which a just-saved rule is).

export interface DraftRule {
  pattern: string;
  preferredLayer: string;
  preferredModel?: string | null;
  /** The name of the adaptive policy the rule names: it, not preferredModel, chooses the model. */
  policy?: string | null;
  priority?: number;
}

export type DraftVerdict =
  | { kind: 'invalid' }
  | { kind: 'no-match' }
  | { kind: 'would-win'; layer: string; model: string | null; policy: string | null }
  | { kind: 'shadowed'; byRuleId: number; byPriority: number };

/** `matched`: the saved rule that matched the input in the dry run (with its priority), or null. */
export function draftVerdict(draft: DraftRule, input: string, matched: { ruleId: number; priority: number } | null): DraftVerdict {
  // The router's own matcher, so the verdict is what the saved rule would do, not what a JS RegExp would.
  const compilation = compilePattern(draft.pattern);
  if (!compilation.ok) return { kind: 'invalid' };
  if (!draft.pattern || !compilation.compiled.test(input)) return { kind: 'no-match' };
  const priority = draft.priority ?? 0;
  if (matched && matched.priority > priority) return { kind: 'shadowed', byRuleId: matched.ruleId, byPriority: matched.priority };
  const policy = draft.policy ?? null;
  return { kind: 'would-win', layer: draft.preferredLayer, model: policy === null ? (draft.preferredModel ?? null) : null, policy };
}
