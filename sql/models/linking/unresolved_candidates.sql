-- Who an unlinked record of tonight could be, when its identity is unresolved (issue 13: the
-- absence of a tie is not evidence of absence):
--   review              the candidates of a record in review (review_candidates)
--   fuzzy_candidate     a record whose own number is unusable (fuzzy_records), neither linked nor
--                       in review: the fuzzy tier's candidates whose posterior reaches
--                       $doubt_probability (config/linking.yaml)
--   namesake_in_county  the same record without a birth date (a name and a place only): every
--                       registry person of its county whose name reads the same, however low the
--                       posterior (a name and a county cannot tell them apart)
-- A pair people refused is never a candidate (the tiers drop it; namesakes are filtered here).
WITH left_over AS (
    SELECT f.source, f.delivery_date, f.record_no, f.pinyin, f.county, f.birth_date
    FROM fuzzy_records f
    WHERE NOT EXISTS (SELECT 1 FROM link_decisions d WHERE d.source = f.source AND d.delivery_date = f.delivery_date
                                                       AND d.record_no = f.record_no)
),
doubtful AS (
    SELECT s.source, s.delivery_date, s.record_no, s.person_id, s.probability AS score, 'fuzzy_candidate' AS why
    FROM fuzzy_scores s
    JOIN left_over u USING (source, delivery_date, record_no)
    WHERE s.probability >= $doubt_probability
),
namesakes AS (
    SELECT u.source, u.delivery_date, u.record_no, g.person_id, CAST(NULL AS DOUBLE) AS score,
           'namesake_in_county' AS why
    FROM left_over u
    JOIN registry_people g ON g.pinyin = u.pinyin AND g.home_county = u.county
    LEFT JOIN refused_pairs x
      ON x.source = u.source AND x.delivery_date = u.delivery_date AND x.record_no = u.record_no
     AND x.person_id = g.person_id
    WHERE u.birth_date IS NULL AND x.person_id IS NULL
)
SELECT source, delivery_date, record_no, person_id, CAST(score AS DOUBLE) AS score, 'review' AS why
FROM review_candidates
UNION ALL
SELECT * FROM doubtful
UNION ALL
SELECT * FROM namesakes
