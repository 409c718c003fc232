-- How often a registry person's own number is a valid one: the chance that a true match's
-- number falls inside a mangled number's interval (m of the "within" level).
SELECT avg(CAST(id_status = 'valid' AS INTEGER)) AS share_valid, count(*) AS persons FROM registry_people
