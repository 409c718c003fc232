-- Every number to repair, typed in a department record or in the registry (failing its check).
SELECT DISTINCT typed FROM repair_records
UNION
SELECT DISTINCT id18 FROM link_registry WHERE id_status = 'bad_check' AND id_rank = 1
