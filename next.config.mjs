/** @type {import('next').NextConfig} */
const nextConfig = {
  // These load .wasm/.data files or native binaries from beside themselves at run time:
  // bundling them would separate them from those files.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/schema-engine-wasm',
    '@prisma/adapter-pg',
    'pg',
    'typescript',
    // One copy per process (not one per route bundle), loaded by Node as published.
    'prom-client',
  ],
  typedRoutes: false,
};

export default nextConfig;
