-- Replace the date's linking output with this run's decisions (inside the caller's transaction).
DELETE FROM links WHERE as_of = $as_of;
DELETE FROM link_explanations WHERE as_of = $as_of;
DELETE FROM review WHERE as_of = $as_of;

INSERT INTO links
SELECT $as_of, source, delivery_date, record_no, person_id, method, score
FROM link_decisions WHERE outcome = 'link';

INSERT INTO link_explanations
SELECT $as_of, source, delivery_date, record_no, explanation
FROM link_decisions WHERE outcome = 'link';

INSERT INTO review
SELECT $as_of, d.source, d.delivery_date, d.record_no, d.method, d.reason,
       (SELECT to_json(list({'person_id': c.person_id, 'score': c.score, 'detail': c.detail::JSON}
                            ORDER BY c.score DESC NULLS LAST, c.person_id))
        FROM review_candidates c
        WHERE c.source = d.source AND c.delivery_date = d.delivery_date AND c.record_no = d.record_no)
FROM link_decisions d WHERE d.outcome = 'review';
