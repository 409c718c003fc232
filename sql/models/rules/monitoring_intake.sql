-- MONITORING_INTAKE (民政厅): a person under 防止返贫监测 whose risk is not cleared (风险消除 = 否)
-- and whose record is linked to no low-income person: no link at all, or a link to a member of
-- an 已终止 household only. Subject: that record's person, known only by the record: its
-- normalised identity number (NULL when unusable), name and county; no person_id.
-- One warning per identity number (or, without a usable number, per name and county).
-- It fires on the ABSENCE of a tie, and an unresolved identity is not evidence of absence: a
-- record in review, or with an unusable number and a candidate close enough to doubt, is held back
-- by the rules step (sql/models/absence/: its evidence cites the record) and goes to the county's
-- 身份待核实 list instead. A record tied through its household (household_context) or confirmed by a
-- clerk is linked like any other.
WITH records AS (
    SELECT a.*, coalesce(a.division_code_county, a.id_number_county) AS county
    FROM cur_agri_monitoring a
    LEFT JOIN links l
      ON l.source = 'agri_monitoring' AND l.delivery_date = a.delivery_date AND l.record_no = a.record_no
    LEFT JOIN registry_facts p ON p.person_id = l.person_id
    WHERE a.risk_cleared = '否' AND NOT coalesce(p.is_low_income, false)
)
SELECT CAST(NULL AS VARCHAR) AS person_id,
       id_number,
       min(name) AS name,
       min(county) AS county_code,
       json_list(evidence('agri_monitoring', delivery_date, record_no,
                          json_object('成员姓名', name, '户主姓名', head_name, '区划代码', division_code,
                                      '监测类型', monitoring_type, '风险类型', risk_type, '风险消除', risk_cleared)),
                 record_no) AS evidence
FROM records
GROUP BY id_number, CASE WHEN id_number IS NULL THEN name END, CASE WHEN id_number IS NULL THEN county END
