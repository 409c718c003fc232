-- links (outputs.md): one row per department record tied to a registry person, with how
-- (method: clerk_confirmed, exact_id, id15_converted, repaired_id, disability_card,
-- household_context, fuzzy_name) and how sure.
-- @materialized: night
-- @sorted_by: [source, delivery_date, record_no]
SELECT source, delivery_date, record_no, person_id, method, CAST(score AS DOUBLE) AS score
FROM link_decisions WHERE outcome = 'link'
