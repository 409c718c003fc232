-- Decisions of tier 5 (fuzzy_name): a proposed link no other known identity fits is linked; one
-- that another fits goes to review, as does a record whose best candidate reaches only
-- $review_probability.
SELECT s.source, s.delivery_date, s.record_no,
    CASE WHEN t.record_no IS NULL AND s.probability >= $link_probability THEN s.person_id END AS person_id,
    'fuzzy_name' AS method,
    CASE WHEN t.record_no IS NULL AND s.probability >= $link_probability THEN s.probability END AS score,
    CASE WHEN t.record_no IS NULL AND s.probability >= $link_probability THEN 'link' ELSE 'review' END AS outcome,
    CASE WHEN t.record_no IS NOT NULL
         THEN 'another known person (' || t.twins || ' in all) shares the name and birth date'
         WHEN s.probability < $link_probability THEN 'no candidate is clearly the person' END AS reason,
    CASE WHEN t.record_no IS NULL AND s.probability >= $link_probability THEN s.explanation END AS explanation,
    5 AS tier_order
FROM fuzzy_scores s
LEFT JOIN fuzzy_twins t USING (source, delivery_date, record_no)
WHERE s.candidate_rank = 1 AND s.probability >= $review_probability
