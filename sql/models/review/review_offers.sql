-- Every question and candidate ever sent to a county (review_items), kept across nights: what a
-- returned decision is checked against (review_decision_log: an unknown 核查编号, a candidate not
-- offered). One row per 核查编号 and candidate: the record's signature and source, the first and
-- the last night it was offered. The published nights' (history_review_offers: the newest one,
-- retention latest) and tonight's.
-- @materialized: night
-- @retention: latest
WITH tonight AS (
    SELECT review_id, signature, person_id, source, CAST($as_of AS DATE) AS first_offered,
           CAST($as_of AS DATE) AS last_offered
    FROM review_items
    WHERE person_id IS NOT NULL
),
before AS (
    SELECT review_id, signature, person_id, source, first_offered, last_offered FROM history_review_offers
)
SELECT review_id, signature, person_id, min(source) AS source, min(first_offered) AS first_offered,
       max(last_offered) AS last_offered
FROM (SELECT * FROM tonight UNION ALL SELECT * FROM before) o
GROUP BY review_id, signature, person_id
