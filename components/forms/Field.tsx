import type { ReactNode } from 'react';

/** A labelled input with its error under it (role=alert so it is announced and findable by tests). */
export function Field({
  label,
  name,
  inputId,
  error,
  className,
  children,
}: {
  label: string;
  name: string;
  inputId: string;
  error?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field ${className ?? ''}`} data-field={name}>
      <label htmlFor={inputId}>{label}</label>
      {children}
      {error && (
        <div className="field-error" role="alert" data-error-for={name}>
          {error}
        </div>
      )}
    </div>
  );
}
