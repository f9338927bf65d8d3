// Query inputs shared by a server page's prefetch and its client view: they must be equal for the
// prefetched data to be used. Kept out of 'use client' modules, whose exports the server sees only as references.

export const ALL_RULES = { activeOnly: false } as const;

export const BUG_PAGE_SIZE = 20;
export const FIRST_BUG_PAGE = { limit: BUG_PAGE_SIZE } as const;

export const METRIC_NAMES = {} as const;

export const reportInput = (taskType: string | undefined) => (taskType ? { taskType } : {});

/** Every adaptive policy with its current parameters, without history: the rule form's picker and the rules table. */
export const ALL_POLICIES = {} as const;

/** Every stored rule checked, with the default thresholds. */
export const ALL_RULE_CHECKS = {} as const;

/** suggest_routing_changes takes the page's range, not its task type (suggestions are about rules, across task types). */
export const suggestionsInput = ({ from, to }: { from: string; to: string }) => ({ from, to });

/** The experiments page's list: every experiment (the page prefetches the same input the view queries). */
export const ALL_EXPERIMENTS = {} as const;

/** The models page's adaptive shares: every policy's share history over the page's range (prefetched as the card asks). */
export const adaptiveSharesInput = ({ from, to }: { from: string; to: string }) => ({ history: true, from, to });
