-- The model the night's fuzzy tier estimated (m, u, priors), for audit.
-- @materialized: night
SELECT model FROM fuzzy_model
