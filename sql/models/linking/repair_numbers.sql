-- Every number to repair, typed in a department record, as a household head's number beside a
-- member (the household-context tier repairs it the same way), or in the registry (failing its
-- check).
SELECT DISTINCT typed FROM repair_records
UNION
SELECT DISTINCT head_id18 FROM link_records WHERE head_id_status = 'bad_check'
UNION
SELECT DISTINCT id18 FROM link_registry WHERE id_status = 'bad_check' AND id_rank = 1
