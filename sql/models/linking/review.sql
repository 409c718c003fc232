-- Records that could be more than one person, or someone with too little confidence: never
-- linked; with why and their candidates (JSON list, best first: person_id, score, detail).
-- @materialized: night
WITH candidates AS (
    SELECT source, delivery_date, record_no,
           json_list_by_score(json_object('person_id', person_id, 'score', score, 'detail', json(detail)),
                              score, person_id) AS candidates
    FROM review_candidates
    GROUP BY source, delivery_date, record_no
)
SELECT d.source, d.delivery_date, d.record_no, d.method, d.reason, coalesce(c.candidates, '[]') AS candidates
FROM link_decisions d
LEFT JOIN candidates c USING (source, delivery_date, record_no)
WHERE d.outcome = 'review'
