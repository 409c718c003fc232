-- Every decided department record of the night: linked to a person, or sent to review.
SELECT * FROM number_decisions
UNION ALL
SELECT * FROM tier_fuzzy
