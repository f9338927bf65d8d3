import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { ALL_POLICIES } from '@/app/_lib/view-inputs';
import { useTRPC } from '../trpc/client';

/**
 * The adaptive policies a rule can name, and their names by id: one query (the page prefetches it) for the rule form's
 * picker and the rules table. `nameOf` falls back to `#id` while the list loads or when the policy is gone.
 */
export function useRoutingPolicies() {
  const trpc = useTRPC();
  const policies = useQuery(trpc.adaptive.policies.queryOptions(ALL_POLICIES));
  const names = useMemo(() => new Map((policies.data?.policies ?? []).map((policy) => [policy.id, policy.name])), [policies.data]);
  const nameOf = (id: number) => names.get(id) ?? `#${id}`;
  return { policies, nameOf };
}
