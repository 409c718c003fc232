-- Share of each source's valid numbers found in the registry: the prior that a record of that
-- source is a registry person at all.
SELECT r.source,
       count(*) FILTER (WHERE d.outcome = 'link') / count(*) AS share_in_registry
FROM link_records r
LEFT JOIN number_decisions d USING (source, delivery_date, record_no)
WHERE r.id_status = 'valid'
GROUP BY r.source
