-- Tonight's records and the persons people said they are NOT (a standing refusal): no tier may
-- tie them. Each tier drops the pair from its matches, so the record goes on to its next
-- candidate (a repair or a household with one person left, the fuzzy tier's posterior over the
-- others), to review, or stays unlinked.
SELECT r.source, r.delivery_date, r.record_no, t.person_id
FROM link_records r
JOIN tie_standing t ON t.signature = r.signature
WHERE t.decision = 'refuse'
