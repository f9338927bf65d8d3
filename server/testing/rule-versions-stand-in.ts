// STAND-IN UNTIL THE `spine` BRANCH IS MERGED: there, every rule save that changes its pattern, layer, model, priority or
// state writes a new immutable version (routing_rule_versions) and points the rule at it, and the routing snapshot
// (what hone.router() decides from) is read from those versions. Before that, saves write no version, so a rule saved
// through the API is missing from the snapshot. For the local router's tests to run meanwhile, a trigger does the
// versioning in the test's own database. It is installed only when a save made through the service writes no version,
// so once the spine branch is merged it is never installed and the tests run against the real thing (then delete it).
import type { PrismaClient } from '../db/client';
import { saveRoutingRule } from '../services/routing/rule-store';

const PROBE_PATTERN = '^probe for versioned rule saves$';

/** Whether saving a rule through the service gives it a version (the spine branch's behaviour). */
async function savesMakeVersions(prisma: PrismaClient): Promise<boolean> {
  const { rule } = await saveRoutingRule(prisma, { pattern: PROBE_PATTERN, preferredLayer: 'fast', active: false });
  const [row] = await prisma.$queryRaw<
    { versionId: number | null }[]
  >`SELECT version_id AS "versionId" FROM routing_rules WHERE id = ${rule.id}`;
  await prisma.$executeRaw`DELETE FROM routing_rules WHERE id = ${rule.id}`;
  await prisma.$executeRaw`DELETE FROM routing_rule_versions WHERE rule_id = ${rule.id}`;
  return row?.versionId != null;
}

/** Makes rule saves in this database write versions, when the code under test does not yet. Returns whether it had to. */
export async function ensureRuleSavesMakeVersions(prisma: PrismaClient): Promise<boolean> {
  if (await savesMakeVersions(prisma)) return false;
  await prisma.$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION stand_in_routing_rule_version() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND (NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state)
           IS NOT DISTINCT FROM (OLD.pattern, OLD.preferred_layer, OLD.preferred_model, OLD.priority, OLD.state) THEN
        RETURN NEW;
      END IF;
      INSERT INTO routing_rule_versions (rule_id, version, pattern, preferred_layer, preferred_model, priority, state, reasoning, change)
      VALUES (NEW.id, COALESCE((SELECT max(version) FROM routing_rule_versions WHERE rule_id = NEW.id), 0) + 1, NEW.pattern,
              NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state, NEW.metadata ->> 'reasoning',
              CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END)
      RETURNING id INTO NEW.version_id;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await prisma.$executeRawUnsafe(`
    CREATE TRIGGER stand_in_routing_rule_version BEFORE INSERT OR UPDATE ON routing_rules
    FOR EACH ROW EXECUTE FUNCTION stand_in_routing_rule_version()`);
  return true;
}
