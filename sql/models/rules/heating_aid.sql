-- HEATING_AID (民政厅): on a logical date inside the heating season, a 有效 household of 低保 or
-- 特困分散 whose 取暖救助 is 未发放. One warning per household; its subject is the head.
SELECT p.person_id,
       '[' || evidence('registry_households', p.households_delivery_date, NULL,
                       json_object('家庭编号', p.household_id, '救助类别', p.assistance_category,
                                   '取暖救助', p.heating_aid,
                                   '取暖季', $heating_season_start || '至' || $heating_season_end)) || ']' AS evidence
FROM registry_facts p
WHERE in_season($as_of, $heating_season_start, $heating_season_end)
  AND p.is_head AND p.household_status = '有效'
  AND p.assistance_category IN ('低保', '特困分散') AND p.heating_aid = '未发放'
