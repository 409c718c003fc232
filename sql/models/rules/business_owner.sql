-- BUSINESS_OWNER (民政厅): a covered person who is 法定代表人 of a market entity in 存续 state.
SELECT p.person_id,
       json_list(evidence('market_entities', e.delivery_date, e.record_no,
                          json_object('企业名称', e.company, '统一社会信用代码', e.credit_code, '登记状态', e.entity_status,
                                      '注册资本(万元)', e.registered_capital, '成立日期', e.founded_on)),
                 e.record_no) AS evidence
FROM linked_market_entities e
JOIN registry_facts p USING (person_id)
WHERE p.is_covered AND e.entity_status = '存续'
GROUP BY p.person_id
