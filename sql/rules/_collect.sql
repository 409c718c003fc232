-- From the rules' raw hits (rule_hits: rule_code, subject person_id or, for MONITORING_INTAKE,
-- the record's id_number/name/county, evidence as a JSON list) to the date's warnings.
-- Category and department come from the catalogue (temp table tonight_catalogue), never from a
-- rule's SQL. For a registry subject the evidence starts with its registry entry.
CREATE OR REPLACE TEMP TABLE warnings_tonight AS
WITH scored AS (
SELECT
    getvariable('as_of') AS as_of,
    h.rule_code,
    CASE c.subject
        WHEN 'person' THEN h.person_id
        WHEN 'household' THEN p.household_id
        ELSE coalesce(p.id_number, h.id_number,
                      'name:' || coalesce(p.name, h.name, '') || '|' || coalesce(p.county_code, h.county_code, ''))
    END AS subject_key,
    CASE c.category
        WHEN 'covered' THEN CASE WHEN p.is_covered THEN 1 ELSE 2 END
        WHEN 'household_covered' THEN CASE WHEN p.household_covered THEN 1 ELSE 2 END
        ELSE c.category::INTEGER
    END AS category,
    c.department,
    h.person_id,
    p.household_id,
    coalesce(p.id_number, h.id_number) AS id_number,
    coalesce(p.name, h.name) AS name,
    coalesce(p.county_code, h.county_code) AS county_code,
    to_json(CASE WHEN p.person_id IS NULL THEN h.evidence ELSE list_prepend(
        evidence('registry_persons', getvariable('delivery_registry_persons'), NULL, json_object(
            '成员编号', p.person_id, '家庭编号', p.household_id, '与户主关系', p.relation,
            '救助类别', p.assistance_category, '家庭状态', p.household_status, '城乡类别', p.urban_rural,
            '单独纳入', p.individually_included)),
        h.evidence) END)::VARCHAR AS evidence
FROM rule_hits h
JOIN tonight_catalogue c ON c.code = h.rule_code
LEFT JOIN rule_persons p ON p.person_id = h.person_id
)
SELECT w.as_of, w.rule_code, w.subject_key, w.category, k.category_code, w.department,
       w.person_id, w.household_id, w.id_number, w.name, w.county_code, w.evidence
FROM scored w JOIN tonight_categories k USING (category);
