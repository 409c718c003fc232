-- What people decided about tonight's records, and what it did (the audit of tie_overrides): one
-- row per record and standing decision — who decided (decided_by), when (decided_on), where the
-- decision came from (origin: a review_decisions row, a department's false alarm ...), and its
-- effect tonight: linked (clerk_confirmed), refused (no tier may tie the record to that person),
-- or not applied (the person is not in tonight's registry; a later confirmation of another
-- person stands instead).
-- @materialized: night
SELECT r.source, r.delivery_date, r.record_no, t.signature, review_code(t.signature) AS review_id, t.person_id,
       t.decision, t.decided_by, t.decided_on, t.origin,
       CASE WHEN t.decision = 'refuse' THEN 'refused: no tier ties the record to this person'
            WHEN c.person_id = t.person_id THEN 'linked (clerk_confirmed)'
            WHEN NOT EXISTS (SELECT 1 FROM link_registry g WHERE g.person_id = t.person_id)
                THEN 'not applied: the person is not in tonight''s registry'
            ELSE 'not applied: a later confirmation of another person stands' END AS effect
FROM link_records r
JOIN tie_standing t ON t.signature = r.signature
LEFT JOIN confirmed_ties c USING (source, delivery_date, record_no)
