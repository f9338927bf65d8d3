-- AlterTable
ALTER TABLE "routing_rules" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0;

-- Written by hand from here: rule versions are kept by triggers, so that every write path (the rule store, the demo
-- seed, a script, SQL typed by an operator) versions a rule the same way, in the statement that changes it.
UPDATE "routing_rules" r SET "version" = v."version" FROM "routing_rule_versions" v WHERE v."id" = r."version_id";

-- Who made a change: the rule store sets hone.changed_by (transaction-local) to the API key's name when auth is on.
CREATE FUNCTION routing_rule_changed_by() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT NULLIF(current_setting('hone.changed_by', true), '')
$$;

-- A new rule takes its version id here, so that the statement's RETURNING carries it; the version row is written
-- after the insert (an INSERT … ON CONFLICT that ends up updating must not leave a version of a rule that never was).
CREATE FUNCTION routing_rule_version_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version_id := nextval(pg_get_serial_sequence('routing_rule_versions', 'id'));
  NEW.version := 1;
  RETURN NEW;
END
$$;

CREATE FUNCTION routing_rule_version_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO routing_rule_versions (id, rule_id, version, pattern, preferred_layer, preferred_model, priority, state,
    reasoning, stated_success_rate, change, changed_by, changed_at)
  VALUES (NEW.version_id, NEW.id, NEW.version, NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'reasoning') = 'string' THEN NEW.metadata ->> 'reasoning' END,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'successRate') = 'number' THEN (NEW.metadata ->> 'successRate')::double precision END,
    'created', routing_rule_changed_by(), clock_timestamp());
  RETURN NULL;
END
$$;

-- An update holds the rule's row lock, so concurrent saves of one rule take their version numbers one after the other
-- (OLD is the latest committed row); the unique (rule_id, version) index backs that up.
CREATE FUNCTION routing_rule_version_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state)
     IS NOT DISTINCT FROM (OLD.pattern, OLD.preferred_layer, OLD.preferred_model, OLD.priority, OLD.state) THEN
    -- Nothing a decision depends on changed: the version stays (and cannot be rewritten by hand).
    NEW.version_id := OLD.version_id;
    NEW.version := OLD.version;
    RETURN NEW;
  END IF;
  NEW.version := OLD.version + 1;
  INSERT INTO routing_rule_versions (rule_id, version, pattern, preferred_layer, preferred_model, priority, state,
    reasoning, stated_success_rate, change, changed_by, changed_at)
  VALUES (NEW.id, NEW.version, NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'reasoning') = 'string' THEN NEW.metadata ->> 'reasoning' END,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'successRate') = 'number' THEN (NEW.metadata ->> 'successRate')::double precision END,
    'updated', routing_rule_changed_by(), clock_timestamp())
  RETURNING id INTO NEW.version_id;
  RETURN NEW;
END
$$;

-- Versions outlive their rule (no foreign key): history and the figures attributed to them survive a delete.
CREATE FUNCTION routing_rule_version_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO routing_rule_versions (rule_id, version, pattern, preferred_layer, preferred_model, priority, state,
    reasoning, stated_success_rate, change, changed_by, changed_at)
  VALUES (OLD.id, OLD.version + 1, OLD.pattern, OLD.preferred_layer, OLD.preferred_model, OLD.priority, OLD.state,
    CASE WHEN jsonb_typeof(OLD.metadata -> 'reasoning') = 'string' THEN OLD.metadata ->> 'reasoning' END,
    CASE WHEN jsonb_typeof(OLD.metadata -> 'successRate') = 'number' THEN (OLD.metadata ->> 'successRate')::double precision END,
    'deleted', routing_rule_changed_by(), clock_timestamp());
  RETURN NULL;
END
$$;

CREATE TRIGGER routing_rules_version_on_insert BEFORE INSERT ON routing_rules
  FOR EACH ROW EXECUTE FUNCTION routing_rule_version_on_insert();
CREATE TRIGGER routing_rules_version_after_insert AFTER INSERT ON routing_rules
  FOR EACH ROW EXECUTE FUNCTION routing_rule_version_after_insert();
CREATE TRIGGER routing_rules_version_on_update BEFORE UPDATE ON routing_rules
  FOR EACH ROW EXECUTE FUNCTION routing_rule_version_on_update();
CREATE TRIGGER routing_rules_version_on_delete AFTER DELETE ON routing_rules
  FOR EACH ROW EXECUTE FUNCTION routing_rule_version_on_delete();
