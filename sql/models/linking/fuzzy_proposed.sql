-- Would-be fuzzy links: a record's best candidate when its posterior reaches $link_probability.
SELECT source, delivery_date, record_no, person_id, g_id18, probability
FROM fuzzy_scores
WHERE candidate_rank = 1 AND probability >= $link_probability
