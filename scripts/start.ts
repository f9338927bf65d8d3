// npm start: prepares what the server needs, then runs `next start` on PORT.
//   1. a valid environment (a wrong value stops here, naming the variable);
//   2. the generated Prisma client, when missing or older than schema.prisma;
//   3. pending migrations on PostgreSQL (the embedded database migrates itself when the server opens it);
//   4. a production build, when there is none;
//   5. the interface to listen on (HOST; unset: loopback while authentication is off), said in one line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { envOrExit, listenHost } from '../server/env';

const env = envOrExit();
const root = process.cwd();
// This machine reaches no network but package registries: keep Next.js and Prisma from phoning home.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
process.env.CHECKPOINT_DISABLE ??= '1';
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const generatedClient = path.join(root, 'server/db/generated/client.ts');
const schema = path.join(root, 'prisma/schema.prisma');
if (!existsSync(generatedClient) || statSync(generatedClient).mtimeMs < statSync(schema).mtimeMs) {
  run('npm', ['run', '-s', 'db:generate']);
}

if (env.DATABASE_URL) run(bin('tsx'), ['scripts/db-migrate.ts']);

if (!existsSync(path.join(root, '.next/BUILD_ID'))) {
  console.log('No production build yet: running next build (once).');
  run(bin('next'), ['build']);
}

const { host, reason } = listenHost(env);
console.log(
  `Hone: listening on ${host ? `http://${host.includes(':') ? `[${host}]` : host}:${env.PORT}` : `all interfaces, port ${env.PORT}`} (${reason})`,
);
const server = spawn(bin('next'), ['start', '-p', String(env.PORT), ...(host ? ['-H', host] : [])], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
