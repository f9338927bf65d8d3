// Next.js calls register() once when the server starts; the work itself is Node-only.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { guardIncomingRequests } = await import('./server/http/methods');
    guardIncomingRequests();
    const { startServer } = await import('./server/startup');
    await startServer();
  }
}
