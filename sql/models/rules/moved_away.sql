-- MOVED_AWAY (民政厅): a low-income person whose 户籍 moved (注销原因 迁出) to a place whose name
-- begins with another province-level division ($province_names other than $home_province). A
-- move inside the home province, or a 迁往地 naming no province, raises nothing.
WITH provinces AS (
    SELECT unnest($province_names) AS province
)
SELECT p.person_id,
       json_list(evidence('mps_cancellations', c.delivery_date, c.record_no,
                          json_object('注销原因', c.reason, '注销日期', c.cancelled_on, '迁往地', c.destination)),
                 c.record_no) AS evidence
FROM linked_mps_cancellations c
JOIN registry_facts p USING (person_id)
WHERE p.is_low_income AND c.reason = '迁出'
  AND EXISTS (SELECT 1 FROM provinces v
              WHERE v.province <> $home_province AND starts_with(trim(c.destination), v.province))
GROUP BY p.person_id
