-- The night's warnings before their flags: category and department from the catalogue
-- (config/rule_catalogue.yaml, seed rule_catalogue), never from a rule's SQL; the subject key
-- that makes tonight's warning "the same" as last night's (person, household = its head's
-- person, or identity: the number or, without one, name + county); the warning's 预警编号
-- (warning_id: the rule's prefix and 8 base32 characters of a hash of rule_code|subject_key,
-- macro warning_code: the same on every night and in every file). For a registry subject the
-- evidence starts with its registry entry; division_code is the household's 行政区划代码.
WITH scored AS (
    SELECT
        h.rule_code,
        c.id_prefix,
        CASE c.subject
            WHEN 'person' THEN h.person_id
            WHEN 'household' THEN p.household_id
            ELSE coalesce(p.id_number, h.id_number,
                          'name:' || coalesce(p.name, h.name, '') || '|' || coalesce(p.county_code, h.county_code, ''))
        END AS subject_key,
        CASE c.category_rule
            WHEN 'covered' THEN CASE WHEN p.is_covered THEN 1 ELSE 2 END
            WHEN 'household_covered' THEN CASE WHEN p.household_covered THEN 1 ELSE 2 END
            ELSE CAST(c.category_rule AS INTEGER)
        END AS category,
        c.department,
        h.person_id,
        p.household_id,
        coalesce(p.id_number, h.id_number) AS id_number,
        coalesce(p.name, h.name) AS name,
        coalesce(p.county_code, h.county_code) AS county_code,
        p.division_code,
        CASE WHEN p.person_id IS NULL THEN h.evidence ELSE json_prepend(
            evidence('registry_persons', p.persons_delivery_date, NULL, json_object(
                '成员编号', p.person_id, '家庭编号', p.household_id, '与户主关系', p.relation,
                '救助类别', p.assistance_category, '家庭状态', p.household_status, '城乡类别', p.urban_rural,
                '单独纳入', p.individually_included)),
            h.evidence) END AS evidence
    FROM rule_hits h
    JOIN rule_catalogue c ON c.rule_code = h.rule_code
    LEFT JOIN registry_facts p ON p.person_id = h.person_id
)
SELECT w.rule_code, w.subject_key, warning_code(w.id_prefix, w.rule_code, w.subject_key) AS warning_id,
       w.category, k.category_code, w.department, w.person_id, w.household_id, w.id_number, w.name,
       w.county_code, w.division_code, w.evidence
FROM scored w JOIN categories k USING (category)
