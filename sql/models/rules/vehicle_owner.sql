-- VEHICLE_OWNER (民政厅): a covered person (member of a covered household, or 单独纳入 = 是)
-- owning a vehicle in 正常 state whose 车辆类型 is not exempt ($vehicle_exempt_types).
SELECT p.person_id,
       json_list(evidence('vehicles', v.delivery_date, v.record_no,
                          json_object('车辆类型', v.vehicle_type, '车辆状态', v.vehicle_status,
                                      '初次登记日期', v.registered_on)),
                 v.record_no) AS evidence
FROM linked_vehicles v
JOIN registry_facts p USING (person_id)
WHERE p.is_covered AND v.vehicle_status = '正常'
  AND v.vehicle_type IS NOT NULL AND NOT list_contains($vehicle_exempt_types, v.vehicle_type)
GROUP BY p.person_id
