-- Results held back: a rule's result whose evidence cites a department record (source, delivery,
-- 序号) whose identity is unresolved tonight (unresolved_records). One row per result and cited
-- unresolved record.
WITH cited AS (
    SELECT r.rule_code, r.person_id, r.id_number, r.name, r.county_code, r.evidence,
           json_text(r.item, 'source') AS source,
           CAST(json_text(r.item, 'delivery_date') AS DATE) AS delivery_date,
           json_text(r.item, '序号') AS record_no
    FROM (SELECT *, unnest(json_items(evidence)) AS item FROM rule_results) r
)
SELECT DISTINCT c.rule_code, c.person_id, c.id_number, c.name, c.county_code, c.evidence,
       c.source, c.delivery_date, c.record_no
FROM cited c
JOIN unresolved_records u USING (source, delivery_date, record_no)
