// Next.js calls register() once when the server starts; the work itself is Node-only.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { serveAheadOfNext } = await import('./server/http/front-door');
    serveAheadOfNext();
    const { startServer } = await import('./server/startup');
    await startServer();
  }
}
