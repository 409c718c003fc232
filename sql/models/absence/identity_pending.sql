-- 身份待核实 (issue 13): the records an absence rule did not fire on because their identity is
-- unresolved, per rule and record, with why, their candidates (JSON list, best first) and what the
-- rule's result would have said (its subject and evidence). The county's list is written from it
-- (pipelines/publish/review_files.py); a clerk's decision about a candidate comes back through
-- review_decisions like a review decision, and the next night the record is resolved.
-- @materialized: night
SELECT h.rule_code, h.source, h.delivery_date, h.record_no, u.signature,
       review_code(u.signature) AS review_id,
       h.name, h.id_number, h.county_code, u.why, u.candidates, u.n_candidates, h.evidence
FROM held_hits h
JOIN unresolved_records u USING (source, delivery_date, record_no)
