'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState, useTransition } from 'react';
import { RANGE_PRESETS, todayUtc, withParams, type DashboardParams } from '@/app/_lib/range';

/** Date range and task-type filter, held in the URL so a view can be shared by link. */
export function DashboardControls({ params, taskTypes }: { params: DashboardParams; taskTypes?: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [fromDay, setFromDay] = useState(params.fromDay ?? '');
  const [toDay, setToDay] = useState(params.toDay ?? todayUtc());
  const [customOpen, setCustomOpen] = useState(params.range === 'custom');

  const go = (changes: Record<string, string | undefined>) =>
    startTransition(() =>
      router.replace(`${pathname}${withParams(new URLSearchParams(searchParams.toString()), changes)}`, { scroll: false }),
    );

  return (
    <div className="controls" data-testid="dashboard-controls" data-pending={pending ? 'true' : 'false'}>
      <div className="segmented" role="group" aria-label="Date range">
        {Object.keys(RANGE_PRESETS).map((preset) => (
          <button
            key={preset}
            type="button"
            className={params.range === preset ? 'active' : ''}
            aria-pressed={params.range === preset}
            data-range={preset}
            onClick={() => {
              setCustomOpen(false);
              go({ range: preset === '7d' ? undefined : preset });
            }}
          >
            Last {preset}
          </button>
        ))}
        <button
          type="button"
          className={params.range === 'custom' ? 'active' : ''}
          aria-pressed={params.range === 'custom'}
          data-range="custom"
          onClick={() => setCustomOpen(true)}
        >
          Custom
        </button>
      </div>
      {customOpen && (
        <form
          className="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            if (fromDay && toDay && fromDay <= toDay) go({ range: 'custom', from: fromDay, to: toDay });
          }}
        >
          <label>
            From <input type="date" value={fromDay} max={toDay} onChange={(e) => setFromDay(e.target.value)} required />
          </label>
          <label>
            To <input type="date" value={toDay} min={fromDay} onChange={(e) => setToDay(e.target.value)} required />
          </label>
          <button type="submit">Apply</button>
        </form>
      )}
      {taskTypes && (
        <label className="task-filter">
          Task type{' '}
          <select value={params.taskType ?? ''} onChange={(e) => go({ taskType: e.target.value || undefined })} aria-label="Task type">
            <option value="">All task types</option>
            {[...new Set([...taskTypes, ...(params.taskType ? [params.taskType] : [])])].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      )}
      {pending && <span className="muted small">Updating…</span>}
    </div>
  );
}
