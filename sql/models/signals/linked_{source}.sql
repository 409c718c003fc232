-- A department source's records of the night that the linker tied to a registry person, with
-- that person's id. Only linked records count for a person (outputs.md): an unlinked or review
-- record raises nothing.
-- @for_each: department_source
SELECT c.*, l.person_id
FROM cur_{source} c
JOIN links l ON l.source = '{source}' AND l.delivery_date = c.delivery_date AND l.record_no = c.record_no
