-- Tonight's records that a person confirmed to be a registry person (a standing confirmation):
-- linked to that person whatever the tiers say. Two standing confirmations of one record for
-- two persons: the latest stands. A person no longer in tonight's registry cannot be linked (the
-- decision is kept and shown in tie_decisions).
WITH confirmed AS (
    SELECT *, row_number() OVER (PARTITION BY signature ORDER BY decided_on DESC NULLS LAST, origin DESC, person_id)
              AS k
    FROM tie_standing
    WHERE decision = 'confirm'
)
SELECT r.source, r.delivery_date, r.record_no, r.signature, c.person_id, c.decided_by, c.decided_on, c.origin
FROM link_records r
JOIN confirmed c ON c.signature = r.signature AND c.k = 1
WHERE EXISTS (SELECT 1 FROM link_registry g WHERE g.person_id = c.person_id)
