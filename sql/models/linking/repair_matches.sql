-- Registry persons one edit away from a record's number, in both directions: the department
-- typed it wrong (forward), or the registry did and the department's valid number is nobody's
-- (reverse). With how the names compare. A pair people refused (refused_pairs) is not a match:
-- the repair goes to the other person one edit away, if exactly one is left whose name agrees.
WITH forward AS (
    SELECT r.source, r.delivery_date, r.record_no, v.edit, 'department' AS typo_side,
           g.person_id, g.id18, name_level(r.name, r.pinyin, g.name, g.pinyin, $name_agreement_jaro_winkler) AS name_level
    FROM repair_variants v
    JOIN link_registry g ON g.id18 = v.variant AND g.id_status = 'valid' AND g.id_rank = 1
    JOIN repair_records r ON r.typed = v.typed
),
registry_variants AS (
    SELECT g.person_id, g.id18 AS typed, g.name, g.pinyin, v.variant, v.edit
    FROM repair_variants v
    JOIN link_registry g ON g.id18 = v.typed AND g.id_status = 'bad_check' AND g.id_rank = 1
),
reverse AS (
    SELECT r.source, r.delivery_date, r.record_no, v.edit, 'registry' AS typo_side,
           v.person_id, v.typed AS id18, name_level(r.name, r.pinyin, v.name, v.pinyin, $name_agreement_jaro_winkler) AS name_level
    FROM link_records r
    JOIN registry_variants v ON v.variant = r.id18
    WHERE r.id_status = 'valid'
      AND NOT EXISTS (SELECT 1 FROM link_registry g WHERE g.id18 = r.id18)
)
SELECT m.*
FROM (SELECT * FROM forward UNION ALL SELECT * FROM reverse) m
LEFT JOIN refused_pairs x
  ON x.source = m.source AND x.delivery_date = m.delivery_date AND x.record_no = m.record_no
 AND x.person_id = m.person_id
WHERE x.person_id IS NULL
