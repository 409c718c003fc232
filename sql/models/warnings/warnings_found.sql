-- The night's warnings (warnings_base) with their flags (rules.md, outputs.md):
--   urgent     (急难) the evidence holds a sudden-hardship event within $urgent_window_days days
--              of the logical date (both ends): a disaster record with 房屋损毁 严重损坏/倒塌 (by
--              受灾日期); a serious-illness or two-cancers diagnosis (by 确诊日期); the death of the
--              subject's household head in mps_cancellations (by 注销日期: 注销原因 死亡, the record
--              tied to the head)
--   match      the weakest tie behind the evidence: 'registry' when it holds registry data only,
--              else the method of its least certain tie ($match_certainty, config/linking.yaml);
--              'unlinked' when it rests on department records tied to no one in the subject's
--              household (MONITORING_INTAKE: the record is the subject)
--   ties       those ties as a JSON list (source, signature, person_id, method, role): what a false
--              alarm refuses (overrides/feedback_refusals.sql) and a resolution's reason reads,
--              kept in warning_status after the night's links are pruned
--   condition  md5 of the evidence's sources and values (delivery dates and 序号 left out): the
--              same records saying the same things give the same condition on every night; a
--              handled or false-alarm warning is pushed again only when it changes
--   division_code  the household's 行政区划代码, else the record's 区划代码 (MONITORING_INTAKE)
-- @materialized: table
WITH items AS (
    SELECT rule_code, subject_key,
           md5(string_agg(source || '|' || coalesce(fields, ''), '#' ORDER BY source, fields)) AS condition,
           min(evidence_field(item, '区划代码')) AS record_division,
           count(record_no) AS records,
           coalesce(bool_or(
               (source = 'emergency_victims' AND evidence_field(item, '房屋损毁') IN ('严重损坏', '倒塌')
                AND days_between(CAST(evidence_field(item, '受灾日期') AS DATE), $as_of)
                    BETWEEN 0 AND $urgent_window_days)
               OR (source IN ('health_serious_illness', 'acwf_two_cancers')
                   AND days_between(CAST(evidence_field(item, '确诊日期') AS DATE), $as_of)
                       BETWEEN 0 AND $urgent_window_days)), false) AS sudden_event
    FROM warning_items
    GROUP BY rule_code, subject_key
),
distinct_ties AS (
    SELECT DISTINCT rule_code, subject_key, source, signature, tie_person, method, role
    FROM warning_ties
),
weakest AS (
    SELECT rule_code, subject_key, method
    FROM (SELECT rule_code, subject_key, method,
                 row_number() OVER (PARTITION BY rule_code, subject_key
                                    ORDER BY method_rank(method, $match_certainty) DESC, method) AS k
          FROM distinct_ties) r
    WHERE k = 1
),
tie_lists AS (
    SELECT rule_code, subject_key,
           json_list(json_object('source', source, 'signature', signature, 'person_id', tie_person,
                                 'method', method, 'role', role),
                     source || '|' || signature || '|' || tie_person || '|' || role) AS ties
    FROM distinct_ties
    GROUP BY rule_code, subject_key
),
head_died AS (
    SELECT rule_code, subject_key, true AS head_died
    FROM warning_ties
    WHERE source = 'mps_cancellations' AND tie_is_head AND evidence_field(item, '注销原因') = '死亡'
      AND days_between(CAST(evidence_field(item, '注销日期') AS DATE), $as_of) BETWEEN 0 AND $urgent_window_days
    GROUP BY rule_code, subject_key
)
SELECT w.rule_code, w.subject_key, w.warning_id, w.category, w.category_code, w.department,
       w.person_id, w.household_id, w.id_number, w.name, w.county_code,
       coalesce(w.division_code, i.record_division) AS division_code,
       coalesce(i.sudden_event, false) OR coalesce(d.head_died, false) AS urgent,
       CASE WHEN coalesce(i.records, 0) = 0 THEN 'registry' WHEN k.method IS NULL THEN 'unlinked' ELSE k.method END
           AS match,
       coalesce(l.ties, '[]') AS ties,
       i.condition,
       w.evidence
FROM warnings_base w
LEFT JOIN items i USING (rule_code, subject_key)
LEFT JOIN weakest k USING (rule_code, subject_key)
LEFT JOIN tie_lists l USING (rule_code, subject_key)
LEFT JOIN head_died d USING (rule_code, subject_key)
