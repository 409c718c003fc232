-- One row per item of a warning's evidence (a JSON list, see the rules): its source, delivery,
-- 序号 (NULL for a registry entry or a computed total: not a department record) and its fields
-- (JSON text), with the warning's subject household. What the flags read (warnings_found).
WITH items AS (
    SELECT w.rule_code, w.subject_key, w.household_id, unnest(json_items(w.evidence)) AS item
    FROM warnings_base w
)
SELECT rule_code, subject_key, household_id, item,
       json_text(item, 'source') AS source,
       CAST(json_text(item, 'delivery_date') AS DATE) AS delivery_date,
       json_text(item, '序号') AS record_no,
       json_text(item, 'fields') AS fields
FROM items
