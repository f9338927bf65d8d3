import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { NavBar } from '@/components/NavBar';
import { TRPCReactProvider } from '@/components/trpc/client';
import { signOut } from '@/server/auth/actions';
import { dashboardAccess } from '@/server/trpc/server-rendering';
import './globals.css';

export const metadata: Metadata = {
  title: 'Hone',
  description: 'The self-improvement service of the LLM gateway',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const access = await dashboardAccess();
  return (
    <html lang="en">
      <body>
        <NavBar access={access} signOut={signOut} />
        <TRPCReactProvider>
          <main>{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
