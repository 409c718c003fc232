-- Working tables of one linking run. Each tier adds the records it decides; a later tier only
-- looks at records no earlier tier decided.
CREATE OR REPLACE TEMP TABLE link_decisions (
    source        VARCHAR,
    delivery_date DATE,
    record_no     VARCHAR,
    person_id     VARCHAR,      -- the linked person (NULL for review)
    method        VARCHAR,      -- the tier
    score         DOUBLE,
    outcome       VARCHAR,      -- link | review
    reason        VARCHAR,      -- why a record went to review
    explanation   VARCHAR       -- JSON: the fields that agreed and what each contributed
);

CREATE OR REPLACE TEMP TABLE review_candidates (
    source        VARCHAR,
    delivery_date DATE,
    record_no     VARCHAR,
    person_id     VARCHAR,
    score         DOUBLE,
    detail        VARCHAR       -- JSON
);

-- How two spellings of a name compare for the number-based tiers: equal, same pinyin, or close
-- pinyin all agree.
CREATE OR REPLACE TEMP MACRO name_level(a, pa, b, pb) AS
    CASE WHEN a IS NULL OR b IS NULL THEN 'unknown'
         WHEN a = b THEN 'exact'
         WHEN pa = pb THEN 'pinyin'
         WHEN jaro_winkler_similarity(pa, pb) >= getvariable('name_agreement_jaro_winkler') THEN 'close'
         ELSE 'different' END;
