-- 应急管理厅 disaster victims: hardship "disaster victim" (MULTI_HARDSHIP: 受灾日期 within the
-- window and 房屋损毁 严重损坏 or 倒塌); assistance: relief paid.
INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'hardship' AS signal_type,
       'disaster_victim' AS signal, '受灾房屋严重损毁' AS label, l.disaster_date AS event_date,
       'emergency_victims' AS source, l.delivery_date, l.record_no,
       json_object('灾害类型', l.disaster_type, '受灾日期', l.disaster_date, '房屋损毁', l.house_damage)::VARCHAR AS detail
FROM linked_emergency_victims l JOIN rule_persons p USING (person_id)
WHERE days_before_as_of(l.disaster_date) BETWEEN 0 AND getvariable('disaster_window_days')
  AND l.house_damage IN ('严重损坏', '倒塌');

INSERT INTO signals_tonight BY NAME
SELECT getvariable('as_of') AS as_of, l.person_id, p.household_id, p.name, 'assistance' AS signal_type,
       'disaster_relief' AS signal, '受灾救助' AS label, coalesce(l.relief_paid > 0, false) AS received,
       l.relief_paid AS amount, l.disaster_date AS event_date, 'emergency_victims' AS source, l.delivery_date, l.record_no,
       json_object('灾害类型', l.disaster_type, '已发放救助金额', l.relief_paid)::VARCHAR AS detail
FROM linked_emergency_victims l JOIN rule_persons p USING (person_id);
