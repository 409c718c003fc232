-- The registry household a context record names, found through its head (one way per record,
-- by what the head's number is):
--   head_number      the head's number is valid and a registry person's whose name agrees
--   head_repaired    the head's number fails its check digit: the one registry person one edit
--                    away (repair_variants, as tier 3) whose name agrees
--   head_in_village  no usable head number (blank, mangled, malformed): the registry household of
--                    the record's village whose head's name reads the same (equal pinyin) and,
--                    for a mangled number, whose head's number lies in the interval Excel left
-- A valid head number that is nobody's in the registry names no registry household: none is
-- looked for in the village. A record whose head fits two households gets none (tier_context).
WITH by_number AS (
    SELECT c.source, c.delivery_date, c.record_no, g.household_id, 'head_number' AS path
    FROM context_records c
    JOIN link_registry g ON g.id18 = c.head_id18 AND g.id_rank = 1
    WHERE c.head_id_status = 'valid'
      AND name_level(c.head_name, c.head_pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler)
          IN ('exact', 'pinyin', 'close')
),
repairs AS (
    SELECT c.source, c.delivery_date, c.record_no, g.household_id, g.id18
    FROM context_records c
    JOIN repair_variants v ON v.typed = c.head_id18
    JOIN link_registry g ON g.id18 = v.variant AND g.id_status = 'valid' AND g.id_rank = 1
    WHERE c.head_id_status = 'bad_check'
      AND name_level(c.head_name, c.head_pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler)
          IN ('exact', 'pinyin', 'close')
),
repaired AS (
    SELECT source, delivery_date, record_no, min(household_id) AS household_id, 'head_repaired' AS path
    FROM repairs
    GROUP BY source, delivery_date, record_no
    HAVING count(DISTINCT id18) = 1
),
in_village AS (
    SELECT c.source, c.delivery_date, c.record_no, g.household_id, 'head_in_village' AS path
    FROM context_records c
    JOIN link_registry g ON g.village = c.village AND g.is_head AND g.pinyin = c.head_pinyin
    WHERE c.head_id_status IN ('blank', 'mangled', 'malformed')
      AND (c.head_id_status <> 'mangled' OR g.id_status <> 'valid'
           OR TRY_CAST(g.id18 AS BIGINT) BETWEEN c.head_id_lo AND c.head_id_hi)
)
SELECT DISTINCT * FROM (
    SELECT * FROM by_number UNION ALL SELECT * FROM repaired UNION ALL SELECT * FROM in_village
) found
