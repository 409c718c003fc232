-- 应急管理厅 disaster victims: hardship "disaster victim" (MULTI_HARDSHIP: 受灾日期 within the
-- window and 房屋损毁 严重损坏 or 倒塌); assistance: relief paid.
SELECT l.person_id, p.household_id, p.name, 'hardship' AS signal_type, 'disaster_victim' AS signal,
       '受灾房屋严重损毁' AS label, CAST(NULL AS BOOLEAN) AS received, CAST(NULL AS DECIMAL(18, 2)) AS amount,
       l.disaster_date AS event_date, 'emergency_victims' AS source, l.delivery_date, l.record_no,
       CAST(json_object('灾害类型', l.disaster_type, '受灾日期', l.disaster_date, '房屋损毁', l.house_damage) AS VARCHAR)
           AS detail
FROM linked_emergency_victims l JOIN registry_facts p USING (person_id)
WHERE days_between(l.disaster_date, $as_of) BETWEEN 0 AND $disaster_window_days
  AND l.house_damage IN ('严重损坏', '倒塌')
UNION ALL
SELECT l.person_id, p.household_id, p.name, 'assistance', 'disaster_relief', '受灾救助',
       coalesce(l.relief_paid > 0, false), CAST(l.relief_paid AS DECIMAL(18, 2)), l.disaster_date,
       'emergency_victims', l.delivery_date, l.record_no,
       CAST(json_object('灾害类型', l.disaster_type, '已发放救助金额', l.relief_paid) AS VARCHAR)
FROM linked_emergency_victims l JOIN registry_facts p USING (person_id)
