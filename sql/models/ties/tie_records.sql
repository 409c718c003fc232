-- The night's links (the linker's ties, sql/models/linking/links.sql) with the signature of
-- their record (link_records.signature). role = 'record': the record names this person.
SELECT l.source, l.delivery_date, l.record_no, l.person_id, l.method, r.signature, 'record' AS role
FROM links l
JOIN link_records r ON r.source = l.source AND r.delivery_date = l.delivery_date AND r.record_no = l.record_no
