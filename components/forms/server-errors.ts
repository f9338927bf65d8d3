import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';

/** What the server's errorFormatter puts on a refused call (server/trpc/trpc.ts). */
interface RefusedCall {
  message: string;
  data?: { issues?: { path: (string | number)[]; message: string }[] | null } | null;
}

/**
 * Puts the server's field issues on the form's fields (the same schema validated both sides, so the
 * paths are the form's own field names); anything not tied to a known field becomes a form-level error.
 * Returns the form-level message, if any.
 */
export function applyServerErrors<Values extends FieldValues>(
  error: RefusedCall,
  fields: readonly string[],
  setError: UseFormSetError<Values>,
): string | null {
  const issues = error.data?.issues ?? [];
  const unplaced: string[] = [];
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    if (fields.includes(field)) setError(field as Path<Values>, { type: 'server', message: issue.message });
    else unplaced.push(issue.message);
  }
  if (issues.length === 0) return error.message;
  return unplaced.length ? unplaced.join('; ') : null;
}
