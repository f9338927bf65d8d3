-- CreateTable
CREATE TABLE "bug_category_hourly" (
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "category" TEXT NOT NULL,
    "severity" "bug_severity" NOT NULL,
    "occurrences" BIGINT NOT NULL,

    CONSTRAINT "bug_category_hourly_pkey" PRIMARY KEY ("hour","category","severity")
);

-- CreateTable
CREATE TABLE "bug_category_daily" (
    "day" TIMESTAMPTZ(0) NOT NULL,
    "category" TEXT NOT NULL,
    "severity" "bug_severity" NOT NULL,
    "occurrences" BIGINT NOT NULL,

    CONSTRAINT "bug_category_daily_pkey" PRIMARY KEY ("day","category","severity")
);

-- The occurrences trigger (see the rollups migration) also folds each statement's occurrences per category, after the
-- per-pattern rollups and in key order, as before.
CREATE OR REPLACE FUNCTION bug_occurrence_rollups_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
BEGIN
  WITH hourly AS (
    SELECT bug_pattern_id, date_bin('1 hour', occurred_at, '2000-01-01 00:00:00+00') AS hour, severity, count(*) AS occurrences
    FROM new_rows GROUP BY 1, 2, 3
  ), into_hourly AS (
    INSERT INTO bug_occurrence_hourly AS b (bug_pattern_id, hour, severity, occurrences)
    SELECT bug_pattern_id, hour, severity, occurrences FROM hourly ORDER BY 1, 2, 3
    ON CONFLICT (bug_pattern_id, hour, severity) DO UPDATE SET occurrences = b.occurrences + EXCLUDED.occurrences
  ), into_daily AS (
    INSERT INTO bug_occurrence_daily AS b (bug_pattern_id, day, severity, occurrences)
    SELECT bug_pattern_id, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), severity, sum(occurrences)
    FROM hourly GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (bug_pattern_id, day, severity) DO UPDATE SET occurrences = b.occurrences + EXCLUDED.occurrences
  ), by_category AS (
    SELECT h.hour, p.category, h.severity, sum(h.occurrences) AS occurrences
    FROM hourly AS h JOIN bug_patterns AS p ON p.id = h.bug_pattern_id GROUP BY 1, 2, 3
  ), into_category_hourly AS (
    INSERT INTO bug_category_hourly AS c (hour, category, severity, occurrences)
    SELECT hour, category, severity, occurrences FROM by_category ORDER BY 1, 2, 3
    ON CONFLICT (hour, category, severity) DO UPDATE SET occurrences = c.occurrences + EXCLUDED.occurrences
  )
  INSERT INTO bug_category_daily AS c (day, category, severity, occurrences)
  SELECT date_bin('1 day', hour, '2000-01-01 00:00:00+00'), category, severity, sum(occurrences)
  FROM by_category GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (day, category, severity) DO UPDATE SET occurrences = c.occurrences + EXCLUDED.occurrences;
  RETURN NULL;
END
$fold$;

-- A deleted bug pattern takes its occurrences out of its category's rollups (its own rollups go through their foreign
-- keys, which is why this runs before the delete, while they are still there); emptied rows go, as if never written.
CREATE FUNCTION bug_category_rollups_forget() RETURNS trigger LANGUAGE plpgsql AS $forget$
BEGIN
  UPDATE bug_category_hourly AS c SET occurrences = c.occurrences - h.occurrences
  FROM bug_occurrence_hourly AS h
  WHERE h.bug_pattern_id = OLD.id AND c.hour = h.hour AND c.category = OLD.category AND c.severity = h.severity;
  DELETE FROM bug_category_hourly AS c USING bug_occurrence_hourly AS h
  WHERE h.bug_pattern_id = OLD.id AND c.hour = h.hour AND c.category = OLD.category AND c.severity = h.severity AND c.occurrences = 0;
  UPDATE bug_category_daily AS c SET occurrences = c.occurrences - d.occurrences
  FROM bug_occurrence_daily AS d
  WHERE d.bug_pattern_id = OLD.id AND c.day = d.day AND c.category = OLD.category AND c.severity = d.severity;
  DELETE FROM bug_category_daily AS c USING bug_occurrence_daily AS d
  WHERE d.bug_pattern_id = OLD.id AND c.day = d.day AND c.category = OLD.category AND c.severity = d.severity AND c.occurrences = 0;
  RETURN OLD;
END
$forget$;

-- Backfill from the per-pattern rollups (which hold what retention deleted), with writers held off until this commits.
LOCK TABLE bug_pattern_occurrences, bug_patterns IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO bug_category_hourly (hour, category, severity, occurrences)
SELECT h.hour, p.category, h.severity, sum(h.occurrences)
FROM bug_occurrence_hourly AS h JOIN bug_patterns AS p ON p.id = h.bug_pattern_id GROUP BY 1, 2, 3;

INSERT INTO bug_category_daily (day, category, severity, occurrences)
SELECT d.day, p.category, d.severity, sum(d.occurrences)
FROM bug_occurrence_daily AS d JOIN bug_patterns AS p ON p.id = d.bug_pattern_id GROUP BY 1, 2, 3;

CREATE TRIGGER bug_category_rollups_on_pattern_delete BEFORE DELETE ON bug_patterns
  FOR EACH ROW EXECUTE FUNCTION bug_category_rollups_forget();
