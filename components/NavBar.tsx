'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { DashboardAccess } from '@/server/auth/dashboard';

const PAGES = [
  { href: '/', label: 'Overview' },
  { href: '/models', label: 'Models' },
  { href: '/bugs', label: 'Bug patterns' },
  { href: '/heuristics', label: 'Heuristics' },
  { href: '/experiments', label: 'Experiments' },
  { href: '/tests', label: 'Regression tests' },
  { href: '/metrics', label: 'Metrics' },
];

/** With auth required, also who is signed in (and whether their key may edit) and a way out. */
export function NavBar({ access, signOut }: { access: DashboardAccess; signOut: () => Promise<void> }) {
  const pathname = usePathname();
  const isActive = (href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href));
  return (
    <header className="topbar">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          Hone
        </Link>
        {PAGES.map((p) => (
          <Link
            key={p.href}
            href={p.href}
            className={`nav-link${isActive(p.href) ? ' active' : ''}`}
            aria-current={isActive(p.href) ? 'page' : undefined}
          >
            {p.label}
          </Link>
        ))}
      </nav>
      {access.signedInAs && (
        <form action={signOut} className="session" data-testid="session">
          <span className="muted small">
            {access.signedInAs} ({access.canEdit ? 'write' : 'read only'})
          </span>{' '}
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      )}
    </header>
  );
}
