/** Outcomes older than this many half-lives weigh under a millionth of the latest: they are not read. */
export const HALF_LIVES_READ = 20;
/** The long-run weights' half-life, in half-lives: what a model's success is judged on while it does not drift. */
export const LONG_HALF_LIFE_FACTOR = 8;
/**
 * The latest outcomes of a model read unweighted, besides the discounted sums: a sudden change shows in them first (see
 * CHANGE_EVIDENCE in policy-maths.ts).
 */
export const RECENT_WINDOWS = [25, 50, 100] as const;
