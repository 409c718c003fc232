-- ISO 7064 MOD 11-2: each of the 17 digit positions with its weight and the weight's inverse
-- modulo 11 (what a digit must change by to make a typed check character fit).
SELECT * FROM (VALUES (1, 7, 8), (2, 9, 5), (3, 10, 10), (4, 5, 9), (5, 8, 7), (6, 4, 3), (7, 2, 6), (8, 1, 1),
                      (9, 6, 2), (10, 3, 4), (11, 7, 8), (12, 9, 5), (13, 10, 10), (14, 5, 9), (15, 8, 7),
                      (16, 4, 3), (17, 2, 6)) AS p(i, w, inv)
