-- Decisions of tier 4 (household_context): a record whose own number is unusable, tied through
-- the household it names (context_households, context_matches). Exactly one member of that
-- household whose name reads as the record's (equal or homophone; a merely close name only when
-- no other member comes near): linked. Two members that fit: review, never a guess. It comes
-- after the number tiers (a valid number's exact tie is never overridden: such records never get
-- here) and before the fuzzy tier, which sees the records this tier did not decide.
-- When the household was found by its head's name in the village alone and the member is that
-- head (the tie rests on a name and a place), another known person of that name whose number was
-- issued in the county (known_identities) casts doubt: review.
-- Score: the path's ($context_score_*, config/linking.yaml), times $context_score_close_factor
-- for a close name.
WITH fits AS (
    SELECT source, delivery_date, record_no, min(path) AS path,
           count(DISTINCT person_id) FILTER (WHERE name_level IN ('exact', 'pinyin')) AS strong,
           count(DISTINCT person_id) FILTER (WHERE name_level = 'close') AS near,
           count(DISTINCT person_id) AS members
    FROM context_matches
    GROUP BY source, delivery_date, record_no
),
chosen AS (
    SELECT m.*, f.strong, f.near, f.members
    FROM context_matches m
    JOIN fits f USING (source, delivery_date, record_no)
    WHERE (f.strong = 1 AND m.name_level IN ('exact', 'pinyin'))
       OR (f.strong = 0 AND f.near = 1)
),
doubted AS (
    SELECT c.source, c.delivery_date, c.record_no, count(DISTINCT k.id18) AS others
    FROM chosen c
    JOIN known_identities k ON k.pinyin = c.pinyin AND substr(k.id18, 1, 6) = substr(c.village, 1, 6)
    WHERE c.path = 'head_in_village' AND c.is_head AND c.is_head_row
      AND (c.id18 IS NULL OR k.id18 <> c.id18)
    GROUP BY c.source, c.delivery_date, c.record_no
),
decided AS (
    SELECT f.source, f.delivery_date, f.record_no, f.path, f.strong, f.near, f.members,
           c.person_id, c.household_id, c.name_level, c.is_head, d.others,
           c.person_id IS NOT NULL AND d.record_no IS NULL AS link
    FROM fits f
    LEFT JOIN chosen c USING (source, delivery_date, record_no)
    LEFT JOIN doubted d USING (source, delivery_date, record_no)
)
SELECT source, delivery_date, record_no,
    CASE WHEN link THEN person_id END AS person_id,
    'household_context' AS method,
    CASE WHEN link THEN
        CASE path WHEN 'head_number' THEN $context_score_head_number
                  WHEN 'head_repaired' THEN $context_score_head_repaired
                  ELSE $context_score_head_in_village END
        * CASE WHEN name_level = 'close' THEN $context_score_close_factor ELSE 1.0 END
    END AS score,
    CASE WHEN link THEN 'link' ELSE 'review' END AS outcome,
    CASE WHEN link THEN NULL
         WHEN person_id IS NOT NULL
         THEN 'the household was found by its head''s name in the village alone, and another known person of that '
              || 'name (' || others || ' in all) was born in the county'
         ELSE 'the household named by its head has ' || greatest(strong, near) || ' members whose name fits' END AS reason,
    CASE WHEN link THEN CAST(json_object('tier', 'household_context', 'household', path, 'household_id', household_id,
                                         'name', name_level, 'head_of_household', is_head,
                                         'members_whose_name_fits', members) AS VARCHAR) END AS explanation,
    4 AS tier_order
FROM decided
