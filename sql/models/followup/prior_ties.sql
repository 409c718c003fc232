-- What became tonight of each tie the previous night's open warnings rested on (their `ties`):
--   present  its record is in tonight's deliveries (the same signature in link_records, or for a
--            roster relative the same relative tied again)
--   tied     tonight's ties still tie it to the same person (ties/evidence_ties)
--   refused  a standing decision refuses it (linking/tie_overrides: a false alarm, a clerk)
-- warning_status reads it to say why a warning resolved (resolved_reason).
WITH parsed AS (
    SELECT rule_code, subject_key, json_text(tie, 'source') AS source, json_text(tie, 'signature') AS signature,
           json_text(tie, 'person_id') AS person_id, json_text(tie, 'role') AS role
    FROM (SELECT rule_code, subject_key, unnest(json_items(ties)) AS tie
          FROM previous_warnings WHERE ties IS NOT NULL) t
),
present AS (
    SELECT DISTINCT r.source, r.signature
    FROM link_records r JOIN (SELECT DISTINCT source, signature FROM parsed) p
      ON p.source = r.source AND p.signature = r.signature
),
tied AS (
    SELECT DISTINCT source, signature, person_id, role FROM evidence_ties
),
refused AS (
    SELECT DISTINCT signature, person_id FROM tie_overrides WHERE decision = 'refuse'
)
SELECT p.rule_code, p.subject_key, p.source, p.signature, p.person_id, p.role,
       (pr.signature IS NOT NULL OR ti.signature IS NOT NULL) AS present,
       ti.signature IS NOT NULL AS tied,
       rf.signature IS NOT NULL AS refused
FROM parsed p
LEFT JOIN present pr ON pr.source = p.source AND pr.signature = p.signature
LEFT JOIN tied ti ON ti.source = p.source AND ti.signature = p.signature AND ti.person_id = p.person_id
                 AND ti.role = p.role
LEFT JOIN refused rf ON rf.signature = p.signature AND rf.person_id = p.person_id
