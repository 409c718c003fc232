-- The one decision that stands per record signature and person: of everything people decided
-- about that tie (tie_overrides: a clerk's review decision, a department's false alarm ...), the
-- latest (decided_on, then origin) — a later decision revokes an earlier one.
SELECT signature, person_id, decision, decided_by, decided_on, origin
FROM (
    SELECT *, row_number() OVER (PARTITION BY signature, person_id
                                 ORDER BY decided_on DESC NULLS LAST, origin DESC, decision) AS k
    FROM tie_overrides
    WHERE signature IS NOT NULL AND person_id IS NOT NULL AND decision IN ('confirm', 'refuse')
) ranked
WHERE k = 1
