-- A department source's records of the run that the linker tied to a registry person
-- (links of the logical date), with that person's id. Only linked records count for a
-- person (outputs.md): an unlinked or review record raises nothing.
CREATE OR REPLACE TEMP TABLE linked_$source AS
SELECT c.*, l.person_id
FROM cur_$source c
JOIN links l
  ON l.as_of = getvariable('as_of') AND l.source = '$source'
 AND l.delivery_date = c.delivery_date AND l.record_no = c.record_no;
