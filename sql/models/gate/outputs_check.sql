-- One row per warning of the night with what the outputs suite compares: is its person in the
-- run's registry (MONITORING_INTAKE excepted: its subject is not a registry person), is its rule
-- in the catalogue, and the category its rule gives (a fixed 1-4, or 1 if the person / the
-- household is covered, else 2) — recomputed from registry_facts, the one definition of covered;
-- its 预警编号 (warning_id: unique tonight) and whether an earlier night gave that id to another
-- rule and subject (id_held_elsewhere: a hash collision, which must never be published).
SELECT
    w.rule_code,
    w.category,
    w.category_code,
    CASE WHEN w.rule_code = 'MONITORING_INTAKE' THEN NULL ELSE p.person_id IS NOT NULL END AS person_in_registry,
    c.rule_code IS NOT NULL AS rule_known,
    CASE
        WHEN c.category_rule = 'covered' AND p.person_id IS NOT NULL THEN CASE WHEN p.is_covered THEN 1 ELSE 2 END
        WHEN c.category_rule = 'household_covered' AND p.person_id IS NOT NULL
            THEN CASE WHEN p.household_covered THEN 1 ELSE 2 END
        ELSE TRY_CAST(c.category_rule AS INTEGER)
    END AS expected_category,
    k.category_code AS expected_category_code,
    w.rule_code || '|' || w.subject_key AS subject,
    CAST($as_of AS VARCHAR) AS as_of,
    w.warning_id,
    h.warning_id IS NOT NULL AS id_held_elsewhere
FROM warnings_found w
LEFT JOIN (SELECT DISTINCT o.warning_id, o.rule_code, o.subject_key
           FROM history_warning_status o WHERE o.as_of < $as_of AND o.warning_id IS NOT NULL) h
       ON h.warning_id = w.warning_id AND (h.rule_code <> w.rule_code OR h.subject_key <> w.subject_key)
LEFT JOIN registry_facts p ON p.person_id = w.person_id
LEFT JOIN rule_catalogue c ON c.rule_code = w.rule_code
LEFT JOIN categories k ON k.category = TRY_CAST(w.category AS INTEGER)
