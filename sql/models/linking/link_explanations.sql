-- Why each link was made: the fields that agreed and what each contributed (JSON; keys in
-- docs/data-dictionary.md).
-- @materialized: night
SELECT source, delivery_date, record_no, explanation
FROM link_decisions WHERE outcome = 'link'
