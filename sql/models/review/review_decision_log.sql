-- Every row a county filled in, of every review_decisions delivery on or before the night (all
-- count: a decision stands until a later one about the same record and person), checked:
--   unknown 核查编号                         no review question with that id was sent before the
--                                            delivery date (review_offers of earlier nights)
--   candidate not offered for this 核查编号  the 候选成员编号 was not among its candidates
--   核查结论 missing / not 是同一人 or 不是同一人
--   核实人 missing
--   核实日期 missing or not a date / after the delivery date
-- A row with none of 核查结论, 核实人, 核实日期 filled in is not a decision (a returned workbook
-- holds every row it was sent with) and is not listed. status: accepted | rejected (reason).
-- decision: confirm (是同一人) | refuse (不是同一人). signature: the record the question is about.
-- @step: link
-- @materialized: night
WITH typed AS (
    SELECT delivery_date, _file AS file, _row AS row_in_file,
           nullif(upper(replace(replace(trim(review_id), ' ', ''), '　', '')), '') AS review_id,
           nullif(upper(replace(replace(trim(person_id), ' ', ''), '　', '')), '') AS person_id,
           nullif(replace(replace(trim(decision), ' ', ''), '　', ''), '') AS decision_text,
           nullif(trim(decided_by), '') AS decided_by,
           decided_on,
           nullif(trim(note), '') AS note
    FROM all_review_decisions
),
decided AS (
    SELECT * FROM typed
    WHERE decision_text IS NOT NULL OR decided_by IS NOT NULL OR decided_on IS NOT NULL
),
offers AS (
    SELECT review_id, person_id, min(signature) AS signature, min(first_offered) AS first_offered
    FROM history_review_offers
    GROUP BY review_id, person_id
),
questions AS (
    SELECT review_id, min(signature) AS signature, min(first_offered) AS first_offered
    FROM offers
    GROUP BY review_id
),
checked AS (
    SELECT d.*, q.signature,
           CASE d.decision_text WHEN '是同一人' THEN 'confirm' WHEN '不是同一人' THEN 'refuse' END AS decision,
           CASE
               WHEN q.review_id IS NULL OR q.first_offered >= d.delivery_date THEN 'unknown 核查编号'
               WHEN o.person_id IS NULL OR o.first_offered >= d.delivery_date
                   THEN 'candidate not offered for this 核查编号'
               WHEN d.decision_text IS NULL THEN '核查结论 missing'
               WHEN d.decision_text NOT IN ('是同一人', '不是同一人') THEN '核查结论 not 是同一人 or 不是同一人'
               WHEN d.decided_by IS NULL THEN '核实人 missing'
               WHEN d.decided_on IS NULL THEN '核实日期 missing or not a date'
               WHEN d.decided_on > d.delivery_date THEN '核实日期 after the delivery date'
           END AS reason
    FROM decided d
    LEFT JOIN questions q ON q.review_id = d.review_id
    LEFT JOIN offers o ON o.review_id = d.review_id AND o.person_id = d.person_id
)
SELECT delivery_date, file, row_in_file, review_id, person_id, decision, decided_by, decided_on, note, signature,
       CASE WHEN reason IS NULL THEN 'accepted' ELSE 'rejected' END AS status, reason
FROM checked
