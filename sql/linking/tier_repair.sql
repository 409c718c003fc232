-- Tier 3: repaired numbers. A number whose check digit fails has a typo; the check digit catches
-- every single wrong character and every swap of neighbours (the check character included), so the
-- true number is among its one-edit variants. A variant that is exactly one registry person's
-- number, with the name agreeing, is that person. Two or more persons within one edit: review. The same in reverse for a
-- registry number that fails its check against a department's valid number nobody else has.
-- The variants come from check_digits.sql (only those that pass the check digit).
CREATE OR REPLACE TEMP TABLE repair_records AS
SELECT source, delivery_date, record_no, coalesce(id18, id_raw) AS typed, name, pinyin
FROM link_records r
-- an 18-digit number taken for Excel damage (it sits on a multiple of 1000) may just as well carry
-- a typo: it is tried here too before the fuzzy tier
WHERE (r.id_status = 'bad_check' OR (r.id_status = 'mangled' AND regexp_full_match(r.id_raw, '[0-9]{18}')))
  AND NOT EXISTS (SELECT 1 FROM link_decisions d
                  WHERE d.source = r.source AND d.delivery_date = r.delivery_date AND d.record_no = r.record_no);

CREATE OR REPLACE TEMP TABLE numbers_to_repair AS SELECT DISTINCT typed FROM repair_records;
CREATE OR REPLACE TEMP TABLE repair_variants AS SELECT * FROM fitting_variants();

CREATE OR REPLACE TEMP TABLE numbers_to_repair AS
SELECT DISTINCT id18 AS typed FROM link_registry WHERE id_status = 'bad_check' AND id_rank = 1;
CREATE OR REPLACE TEMP TABLE registry_repair_variants AS SELECT * FROM fitting_variants();

CREATE OR REPLACE TEMP TABLE repair_matches AS
WITH forward AS (
    SELECT r.source, r.delivery_date, r.record_no, v.edit, 'department' AS typo_side,
           g.person_id, g.id18, name_level(r.name, r.pinyin, g.name, g.pinyin) AS name_level
    FROM repair_variants v
    JOIN link_registry g ON g.id18 = v.variant AND g.id_status = 'valid' AND g.id_rank = 1
    JOIN repair_records r ON r.typed = v.typed
),
registry_bad AS (
    SELECT person_id, id18 AS typed, name, pinyin FROM link_registry WHERE id_status = 'bad_check' AND id_rank = 1
),
registry_variants AS (
    SELECT b.person_id, b.typed, b.name, b.pinyin, v.variant, v.edit
    FROM registry_repair_variants v JOIN registry_bad b USING (typed)
),
reverse AS (
    SELECT r.source, r.delivery_date, r.record_no, v.edit, 'registry' AS typo_side,
           v.person_id, v.typed AS id18, name_level(r.name, r.pinyin, v.name, v.pinyin) AS name_level
    FROM link_records r
    JOIN registry_variants v ON v.variant = r.id18
    WHERE r.id_status = 'valid'
      AND NOT EXISTS (SELECT 1 FROM link_decisions d
                      WHERE d.source = r.source AND d.delivery_date = r.delivery_date AND d.record_no = r.record_no)
      AND NOT EXISTS (SELECT 1 FROM link_registry g WHERE g.id18 = r.id18)
)
SELECT * FROM forward UNION ALL SELECT * FROM reverse;

CREATE OR REPLACE TEMP TABLE repair_outcomes AS
SELECT source, delivery_date, record_no,
       count(DISTINCT id18) AS persons,
       count(DISTINCT id18) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS agreeing,
       any_value(person_id) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS person_id,
       any_value(id18) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS candidate_id18,
       any_value(edit) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS edit,
       any_value(typo_side) AS typo_side,
       any_value(name_level) FILTER (WHERE name_level IN ('exact', 'pinyin', 'close')) AS name_level
FROM repair_matches
GROUP BY ALL;

-- A number taken for Excel damage that a repair would tie to someone: if another known identity
-- with that name lies inside the number's Excel interval, the "typo" may as well be rounding of
-- that other person's number, so the record is not linked.
CREATE OR REPLACE TEMP TABLE repair_conflicts AS
SELECT o.source, o.delivery_date, o.record_no, count(DISTINCT k.id18) AS others
FROM repair_outcomes o
JOIN link_records r USING (source, delivery_date, record_no)
JOIN known_identities k
  ON k.pinyin = r.pinyin AND k.id18 <> o.candidate_id18
 AND TRY_CAST(k.id18 AS BIGINT) BETWEEN r.id_lo AND r.id_hi
WHERE r.id_status = 'mangled' AND o.agreeing = 1
GROUP BY ALL;

-- Exactly one person within one edit whose name agrees: linked (a person within one edit whose
-- name does not agree is someone else, not a rival). The score is set in repair_scores.sql.
INSERT INTO link_decisions
SELECT source, delivery_date, record_no, person_id, 'repaired_id', NULL, 'link', NULL,
    json_object('tier', 'repaired_id', 'identity_number', edit, 'typo_in', typo_side, 'name', name_level,
                'persons_within_one_edit', persons)
FROM repair_outcomes o WHERE agreeing = 1 AND NOT EXISTS (
    SELECT 1 FROM repair_conflicts c
    WHERE c.source = o.source AND c.delivery_date = o.delivery_date AND c.record_no = o.record_no);

INSERT INTO link_decisions
SELECT source, delivery_date, record_no, NULL, 'repaired_id', NULL, 'review',
    'the number may be a typo of a registry person''s or Excel''s rounding of another known person''s', NULL
FROM repair_conflicts;

INSERT INTO review_candidates
SELECT o.source, o.delivery_date, o.record_no, o.person_id, NULL,
    json_object('identity_number', o.edit, 'name', o.name_level)
FROM repair_outcomes o JOIN repair_conflicts USING (source, delivery_date, record_no);

-- Several persons within one edit whose names agree: the typo cannot be undone with confidence.
INSERT INTO link_decisions
SELECT source, delivery_date, record_no, NULL, 'repaired_id', NULL, 'review',
    'the mistyped identity number is one edit away from ' || agreeing || ' registry persons with that name', NULL
FROM repair_outcomes WHERE agreeing > 1;

INSERT INTO review_candidates
SELECT m.source, m.delivery_date, m.record_no, m.person_id, NULL,
    json_object('identity_number', m.edit, 'name', m.name_level)
FROM repair_matches m
JOIN repair_outcomes o USING (source, delivery_date, record_no)
WHERE o.agreeing > 1 AND m.name_level IN ('exact', 'pinyin', 'close');
