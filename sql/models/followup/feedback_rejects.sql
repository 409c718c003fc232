-- The feedback rows of the night's deliveries that were rejected, with their reasons (the
-- departments' lists of what to correct and send again; feedback_rows has every row).
-- @materialized: night
SELECT delivery_date, file, row_in_file, row_no, warning_id, department, result, action, handler, done_on,
       reason_code, reason
FROM feedback_rows
WHERE outcome = 'rejected'
