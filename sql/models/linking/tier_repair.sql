-- Decisions of tier 3. Exactly one person within one edit whose name agrees: linked (a person
-- within one edit whose name does not agree is someone else, not a rival), unless an Excel
-- interval conflict (repair_conflicts) casts doubt; several agreeing persons: review.
-- Score of a repair: 1 − the expected number of people outside the registry with a valid number
-- one edit from the typed one and a name that reads the same (config/linking.yaml): ≈ 16 valid
-- variants × share of possible numbers issued × share of persons with that name; a name no
-- registry person's pinyin matches counts as one.
WITH stats AS (
    SELECT count(*) AS n,
           $province_population / (greatest(count(DISTINCT county), 1) * 36525.0 * 1000.0) AS issued_share
    FROM registry_people
)
SELECT o.source, o.delivery_date, o.record_no,
    CASE WHEN o.agreeing = 1 AND c.record_no IS NULL THEN o.person_id END AS person_id,
    'repaired_id' AS method,
    CASE WHEN o.agreeing = 1 AND c.record_no IS NULL
         THEN greatest(0.0, 1.0 - 16.0 * s.issued_share * coalesce(fp.f, 1) / s.n) END AS score,
    CASE WHEN o.agreeing = 1 AND c.record_no IS NULL THEN 'link' ELSE 'review' END AS outcome,
    CASE WHEN o.agreeing > 1
         THEN 'the mistyped identity number is one edit away from ' || o.agreeing || ' registry persons with that name'
         WHEN c.record_no IS NOT NULL
         THEN 'the number may be a typo of a registry person''s or Excel''s rounding of another known person''s' END
        AS reason,
    CASE WHEN o.agreeing = 1 AND c.record_no IS NULL
         THEN CAST(json_object('tier', 'repaired_id', 'identity_number', o.edit, 'typo_in', o.typo_side,
                               'name', o.name_level, 'persons_within_one_edit', o.persons) AS VARCHAR) END AS explanation,
    2 AS tier_order
FROM repair_outcomes o
CROSS JOIN stats s
JOIN link_records r USING (source, delivery_date, record_no)
LEFT JOIN term_frequencies fp ON fp.kind = 'pinyin' AND fp.value = r.pinyin
LEFT JOIN repair_conflicts c USING (source, delivery_date, record_no)
WHERE o.agreeing >= 1
