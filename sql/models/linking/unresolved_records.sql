-- Tonight's department records whose identity is unresolved: in review, or unlinked with an
-- unusable number and a candidate close enough to doubt (unresolved_candidates). An absence rule
-- ("no tie found", MONITORING_INTAKE) never fires on them: the rules step holds its hits back
-- (sql/models/absence/) and they go to the 身份待核实 list with their candidates. One row per
-- record: why (review's reason, or the kind of doubt), in_review, its candidates (JSON list, best
-- first: person_id, score, why), the record's signature (what a clerk's decision is remembered by)
-- and the evidence it carries (for the county's lists: its name, its number as typed, birth date,
-- sex, county — its own, or its number's —, village and the household head it names).
-- @materialized: table
WITH reviewed AS (
    SELECT source, delivery_date, record_no, 'in review: ' || coalesce(reason, '') AS why, true AS in_review
    FROM link_decisions WHERE outcome = 'review'
),
doubted AS (
    SELECT source, delivery_date, record_no,
           CASE WHEN bool_or(why = 'namesake_in_county')
                THEN 'a registry person of the county has this name, and the record carries no number or birth date to tell them apart'
                ELSE 'a registry person could be this record (posterior at least ' || CAST($doubt_probability AS VARCHAR) || ')' END AS why,
           false AS in_review
    FROM unresolved_candidates
    WHERE why <> 'review'
    GROUP BY source, delivery_date, record_no
),
records AS (
    SELECT * FROM reviewed
    UNION ALL
    SELECT d.* FROM doubted d
    WHERE NOT EXISTS (SELECT 1 FROM reviewed r WHERE r.source = d.source AND r.delivery_date = d.delivery_date
                                                 AND r.record_no = d.record_no)
),
per_person AS (
    SELECT source, delivery_date, record_no, person_id, max(score) AS score, min(why) AS why
    FROM unresolved_candidates
    GROUP BY source, delivery_date, record_no, person_id
),
candidates AS (
    SELECT source, delivery_date, record_no,
           json_list_by_score(json_object('person_id', person_id, 'score', score, 'why', why), score, person_id)
               AS candidates,
           count(*) AS n_candidates
    FROM per_person
    GROUP BY source, delivery_date, record_no
)
SELECT r.source, r.delivery_date, r.record_no, l.signature, r.why, r.in_review,
       coalesce(c.candidates, '[]') AS candidates, coalesce(c.n_candidates, 0) AS n_candidates,
       l.name, coalesce(l.id18, l.id_raw) AS typed_number, l.id_status, l.birth_col AS birth_date, l.sex_col AS sex,
       coalesce(l.county_col, CASE WHEN l.id_status = 'valid' THEN substr(l.id18, 1, 6) END)
           AS county_code,
       l.village, l.head_name, l.head_id18, l.head_id_status
FROM records r
JOIN link_records l USING (source, delivery_date, record_no)
LEFT JOIN candidates c USING (source, delivery_date, record_no)
