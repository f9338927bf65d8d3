// npm run apikey -- create --name gateway --scope write | list | revoke <id>
// Keys are printed once, at creation; the database keeps only their SHA-256.
import { parseArgs } from 'node:util';
import { describeTarget, openDatabase, targetFromEnv } from '../server/db/client';
import { env } from '../server/env';
import { HoneError } from '../server/errors';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKeyScope } from '../server/services/api-keys';
import { runCli } from './cli';

const USAGE = `usage:
  npm run apikey -- create --name <name> --scope read|write
  npm run apikey -- list
  npm run apikey -- revoke <id>`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(1);
}

await runCli(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, scope: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  if (!command || !['create', 'list', 'revoke'].includes(command)) fail(command ? `Unknown command "${command}".` : 'No command given.');
  if (command === 'create') {
    if (!values.name) fail('create needs --name.');
    if (!API_KEY_SCOPES.includes(values.scope as ApiKeyScope)) fail('create needs --scope read or --scope write.');
  }
  const revokeId = Number(rest[0]);
  if (command === 'revoke' && !Number.isInteger(revokeId)) fail('revoke needs the id of a key (see list).');

  const target = targetFromEnv(env());
  const db = await openDatabase(target, { migrate: true });
  try {
    if (command === 'create') {
      const { key, apiKey } = await createApiKey(db.prisma, { name: values.name!, scope: values.scope as ApiKeyScope });
      // The key alone on stdout (KEY=$(npm run -s apikey -- create …) works); the explanation on stderr.
      console.error(`Created ${apiKey.scope} key #${apiKey.id} "${apiKey.name}" in ${describeTarget(target)}.`);
      console.error('Copy it now: it is not stored and cannot be shown again.');
      console.log(key);
    } else if (command === 'list') {
      const keys = await listApiKeys(db.prisma);
      if (keys.length === 0) console.log('No API keys yet: npm run apikey -- create --name <name> --scope read|write');
      for (const k of keys) {
        const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : `last used ${k.lastUsedAt?.toISOString() ?? 'never'}`;
        console.log(`#${k.id}  ${k.scope.padEnd(5)}  ${k.prefix}…  ${k.name}  (created ${k.createdAt.toISOString()}, ${state})`);
      }
    } else {
      const revoked = await revokeApiKey(db.prisma, revokeId);
      console.log(`Revoked key #${revoked.id} "${revoked.name}".`);
    }
  } catch (error) {
    if (error instanceof HoneError) fail(error.message);
    throw error;
  } finally {
    await db.close();
  }
});
