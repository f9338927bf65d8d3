'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const PAGES = [
  { href: '/', label: 'Overview' },
  { href: '/models', label: 'Models' },
  { href: '/bugs', label: 'Bug patterns' },
  { href: '/heuristics', label: 'Heuristics' },
  { href: '/tests', label: 'Regression tests' },
  { href: '/metrics', label: 'Metrics' },
];

export function NavBar() {
  const pathname = usePathname();
  const isActive = (href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href));
  return (
    <header className="topbar">
      <nav aria-label="Main">
        <Link href="/" className="brand">
          Hone
        </Link>
        {PAGES.map((p) => (
          <Link key={p.href} href={p.href} className={`nav-link${isActive(p.href) ? ' active' : ''}`} aria-current={isActive(p.href) ? 'page' : undefined}>
            {p.label}
          </Link>
        ))}
      </nav>
    </header>
  );
}
