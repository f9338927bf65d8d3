/** Distinguishable colours, in the order series are drawn. */
export const PALETTE = [
  '#2563eb',
  '#ea580c',
  '#16a34a',
  '#9333ea',
  '#dc2626',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
  '#7c3aed',
  '#0d9488',
];

export const colorAt = (i: number) => PALETTE[i % PALETTE.length]!;

export const SEVERITY_COLORS: Record<string, string> = { low: '#93c5fd', medium: '#fbbf24', high: '#f97316', critical: '#dc2626' };
