-- ISO 7064 MOD 11-2 arithmetic for repairing mistyped identity numbers (used by tier_repair.sql).
--
-- Only variants that pass the check are worth looking up, and they are few: at each of the 17
-- digit positions exactly one digit (or none) makes the weighted sum fit the typed check
-- character, plus the right check character itself, plus the swaps of neighbours that fit. About
-- 20 variants a number instead of 180, computed with the ISO 7064 MOD 11-2 arithmetic below.
CREATE OR REPLACE TEMP TABLE repair_positions AS
SELECT * FROM (VALUES (1, 7, 8), (2, 9, 5), (3, 10, 10), (4, 5, 9), (5, 8, 7), (6, 4, 3), (7, 2, 6), (8, 1, 1),
                      (9, 6, 2), (10, 3, 4), (11, 7, 8), (12, 9, 5), (13, 10, 10), (14, 5, 9), (15, 8, 7),
                      (16, 4, 3), (17, 2, 6)) AS p(i, w, inv);   -- position, weight, weight⁻¹ mod 11

CREATE OR REPLACE TEMP MACRO digit_at(n, i) AS ascii(substr(n, i, 1)) - 48;
CREATE OR REPLACE TEMP MACRO check_sum(n) AS
    (list_sum(list_transform(range(1, 18), lambda i: digit_at(n, i) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i])) % 11)::INTEGER;
CREATE OR REPLACE TEMP MACRO check_index(n) AS instr('10X98765432', substr(n, 18, 1)) - 1;

-- (typed, variant, edit) for the numbers in `numbers_to_repair` (they fail their check): every
-- one-edit variant that passes it.
CREATE OR REPLACE TEMP TABLE numbers_to_repair (typed VARCHAR);
CREATE OR REPLACE TEMP MACRO fitting_variants() AS TABLE
WITH sums AS (
    SELECT typed, check_sum(typed) AS s, check_index(typed) AS t FROM numbers_to_repair
),
substitutions AS (   -- digit i becomes x with s + w·(x − d) ≡ t (mod 11)
    SELECT typed, digit_at(typed, i) AS d, ((digit_at(typed, i) + ((t - s) % 11 + 11) % 11 * inv) % 11) AS x, i
    FROM sums, repair_positions
)
SELECT typed, substr(typed, 1, i - 1) || x::VARCHAR || substr(typed, i + 1) AS variant, 'substitution' AS edit
FROM substitutions WHERE x < 10 AND x <> d
UNION ALL
SELECT typed, substr(typed, 1, 17) || substr('10X98765432', s + 1, 1), 'substitution'
FROM sums WHERE s <> t
UNION ALL   -- swapping digits i and i+1 changes the sum by (w_i − w_i+1)·(d_i+1 − d_i)
SELECT typed, substr(typed, 1, p.i - 1) || substr(typed, p.i + 1, 1) || substr(typed, p.i, 1) || substr(typed, p.i + 2),
       'transposition'
FROM sums, repair_positions p JOIN repair_positions q ON q.i = p.i + 1
WHERE p.i <= 16 AND digit_at(typed, p.i) <> digit_at(typed, p.i + 1)
  AND ((s + (p.w - q.w) * (digit_at(typed, p.i + 1) - digit_at(typed, p.i))) % 11 + 11) % 11 = t
UNION ALL   -- the 17th digit swapped with the check character
SELECT typed, variant, 'transposition'
FROM (SELECT typed, substr(typed, 1, 16) || substr(typed, 18, 1) || substr(typed, 17, 1) AS variant FROM sums)
WHERE substr(variant, 17, 1) <> 'X' AND substr(variant, 17, 1) <> substr(variant, 18, 1)
  AND check_sum(variant) = check_index(variant);

