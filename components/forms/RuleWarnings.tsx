import type { RoutingRuleWarning } from '@/server/services/routing/check-rules';

/** The rule checks' warnings about a rule: shown, never blocking. */
export function RuleWarnings({ warnings, title, testId }: { warnings: readonly RoutingRuleWarning[]; title: string; testId: string }) {
  if (warnings.length === 0) return null;
  return (
    <div className="rule-warnings wide" role="status" data-testid={testId}>
      <strong>{title}</strong>
      <ul>
        {warnings.map((warning, i) => (
          <li key={`${warning.kind}-${warning.ruleId}-${i}`} data-kind={warning.kind}>
            {warning.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
