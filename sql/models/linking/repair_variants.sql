-- (typed, variant, edit): every one-edit variant of a number to repair that passes the check
-- digit. Only those are worth looking up, and they are few: at each of the 17 digit positions
-- exactly one digit (or none) makes the weighted sum fit the typed check character, plus the
-- right check character itself, plus the swaps of neighbours that fit. About 20 variants a
-- number instead of 180.
WITH sums AS (
    SELECT typed, check_sum(typed) AS s, check_index(typed) AS t FROM repair_numbers
),
substitutions AS (   -- digit i becomes x with s + w·(x − d) ≡ t (mod 11)
    SELECT typed, digit_at(typed, i) AS d, ((digit_at(typed, i) + ((t - s) % 11 + 11) % 11 * inv) % 11) AS x, i
    FROM sums CROSS JOIN repair_positions
)
SELECT typed, substr(typed, 1, i - 1) || CAST(x AS VARCHAR) || substr(typed, i + 1) AS variant,
       'substitution' AS edit
FROM substitutions WHERE x < 10 AND x <> d
UNION ALL
SELECT typed, substr(typed, 1, 17) || substr('10X98765432', s + 1, 1), 'substitution'
FROM sums WHERE s <> t
UNION ALL   -- swapping digits i and i+1 changes the sum by (w_i − w_i+1)·(d_i+1 − d_i)
SELECT typed, substr(typed, 1, p.i - 1) || substr(typed, p.i + 1, 1) || substr(typed, p.i, 1) || substr(typed, p.i + 2),
       'transposition'
FROM sums CROSS JOIN repair_positions p JOIN repair_positions q ON q.i = p.i + 1
WHERE p.i <= 16 AND digit_at(typed, p.i) <> digit_at(typed, p.i + 1)
  AND ((s + (p.w - q.w) * (digit_at(typed, p.i + 1) - digit_at(typed, p.i))) % 11 + 11) % 11 = t
UNION ALL   -- the 17th digit swapped with the check character
SELECT typed, variant, 'transposition'
FROM (SELECT typed, substr(typed, 1, 16) || substr(typed, 18, 1) || substr(typed, 17, 1) AS variant FROM sums) v
WHERE substr(variant, 17, 1) <> 'X' AND substr(variant, 17, 1) <> substr(variant, 18, 1)
  AND check_sum(variant) = check_index(variant)
