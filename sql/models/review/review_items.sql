-- The rows of tonight's county lists (pipelines/publish/review_files.py), one per list, county,
-- question and candidate:
--   kind review    every record in review tonight (unresolved_records.in_review)
--   kind identity  every record an absence rule held back (identity_pending, rule_code): 身份待核实
-- A question goes to the county of its record (its county column, or its valid number's county),
-- and when the record names none, to the county of each of its candidates; a question with
-- neither is on no list (it stays in `review`). Every list shows all the question's candidates
-- side by side with the record's evidence (whose number is shown in full only in the person's own
-- county's list: the writer masks the others). review_id (核查编号) is the same on every night
-- for the same record; a county answers with 是同一人 / 不是同一人 per candidate (review_decisions).
-- @materialized: night
WITH questions AS (
    SELECT 'review' AS kind, CAST(NULL AS VARCHAR) AS rule_code, u.*
    FROM unresolved_records u WHERE u.in_review
    UNION ALL
    SELECT 'identity' AS kind, p.rule_code, u.*
    FROM identity_pending p
    JOIN unresolved_records u USING (source, delivery_date, record_no)
),
offered AS (
    SELECT q.kind, q.rule_code, q.source, q.delivery_date, q.record_no,
           json_text(q.c, 'person_id') AS person_id,
           TRY_CAST(json_text(q.c, 'score') AS DOUBLE) AS score,
           json_text(q.c, 'why') AS candidate_why
    FROM (SELECT kind, rule_code, source, delivery_date, record_no, unnest(json_items(candidates)) AS c
          FROM questions) q
),
candidates AS (
    SELECT o.*, p.name AS candidate_name, p.id_number AS candidate_id_number, p.sex_eff AS candidate_sex,
           p.birth_date_eff AS candidate_birth_date, p.relation AS candidate_relation,
           p.household_id AS candidate_household_id, p.head_name AS candidate_head_name,
           p.division_code AS candidate_division_code, p.address AS candidate_address,
           p.household_status AS candidate_household_status, p.assistance_category AS candidate_category,
           p.county_code AS candidate_county_code,
           row_number() OVER (PARTITION BY o.kind, o.rule_code, o.source, o.delivery_date, o.record_no
                              ORDER BY o.score DESC NULLS LAST, o.person_id) AS candidate_rank
    FROM offered o
    LEFT JOIN registry_facts p ON p.person_id = o.person_id
),
lists AS (   -- the counties a question goes to
    SELECT kind, rule_code, source, delivery_date, record_no, county_code AS list_county
    FROM questions WHERE county_code IS NOT NULL
    UNION
    SELECT c.kind, c.rule_code, c.source, c.delivery_date, c.record_no, c.candidate_county_code
    FROM candidates c
    JOIN questions q ON q.kind = c.kind AND q.source = c.source AND q.delivery_date = c.delivery_date
                    AND q.record_no = c.record_no AND q.rule_code IS NOT DISTINCT FROM c.rule_code
    WHERE q.county_code IS NULL AND c.candidate_county_code IS NOT NULL
)
SELECT l.list_county AS county_code, q.kind, review_code(q.signature) AS review_id, q.signature, q.rule_code,
       q.source, q.delivery_date, q.record_no, q.why,
       q.name, q.typed_number, q.id_status, q.birth_date, q.sex, q.county_code AS record_county_code, q.village,
       q.head_name, q.head_id18, q.n_candidates,
       c.candidate_rank, c.person_id, c.score, c.candidate_why, c.candidate_name, c.candidate_id_number,
       c.candidate_sex, c.candidate_birth_date, c.candidate_relation, c.candidate_household_id, c.candidate_head_name,
       c.candidate_division_code, c.candidate_address, c.candidate_household_status, c.candidate_category,
       c.candidate_county_code
FROM lists l
JOIN questions q ON q.kind = l.kind AND q.source = l.source AND q.delivery_date = l.delivery_date
                AND q.record_no = l.record_no AND q.rule_code IS NOT DISTINCT FROM l.rule_code
LEFT JOIN candidates c ON c.kind = q.kind AND c.source = q.source AND c.delivery_date = q.delivery_date
                      AND c.record_no = q.record_no AND c.rule_code IS NOT DISTINCT FROM q.rule_code
