-- One row per registry person for the statistics of the fuzzy tier (a number enrolled twice
-- counts once).
-- @materialized: ephemeral
SELECT * FROM link_registry WHERE id_rank = 1 OR id18 IS NULL
