-- Every rule's raw hits of the night that stand: the rules' results (absence/rule_results, the
-- union of the rule models that ran, tagged with the rule's code) without those held back because
-- they rest on the absence of a tie for a record whose identity is unresolved (absence/held_hits:
-- they go to the 身份待核实 list instead). Shape: a rule about a registry person gives person_id
-- and evidence, one about a record (MONITORING_INTAKE) also id_number, name and county_code.
SELECT r.rule_code, r.person_id, r.id_number, r.name, r.county_code, r.evidence
FROM rule_results r
WHERE NOT EXISTS (SELECT 1 FROM held_hits h WHERE h.rule_code = r.rule_code AND h.evidence = r.evidence)
