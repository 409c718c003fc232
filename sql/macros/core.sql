-- Helpers every model may call, in the DuckDB dialect (the engine seam gives other engines their
-- own definitions; a model never spells a dialect-specific date or JSON idiom itself).
-- Macros take values as arguments, never read parameters: a model passes $thresholds in.

-- One piece of evidence: the record (source, delivery, 序号) and the values that matter (JSON).
-- Registry records have no 序号; their fields carry 家庭编号 / 成员编号 instead.
CREATE OR REPLACE TEMP MACRO evidence(src, delivery, record_no, fields) AS
    json_object('source', src, 'delivery_date', strftime(delivery, '%Y-%m-%d'), '序号', record_no, 'fields', fields);

-- Whole years from a birth date to a day (a birthday on that day counts).
CREATE OR REPLACE TEMP MACRO age_years(birth, day) AS
    date_diff('year', birth, day) - (strftime(day, '%m-%d') < strftime(birth, '%m-%d'))::INTEGER;

-- Days from a past date to a later day (0 = the same day).
CREATE OR REPLACE TEMP MACRO days_between(earlier, later) AS date_diff('day', earlier, later);

-- Whether a day lies inside a yearly season given as 'MM-DD' ends, both included; a season whose
-- start is after its end crosses the new year (the heating season 10-20 .. 04-20).
CREATE OR REPLACE TEMP MACRO in_season(day, season_start, season_end) AS
    CASE WHEN season_start <= season_end
         THEN strftime(day, '%m-%d') BETWEEN season_start AND season_end
         ELSE strftime(day, '%m-%d') >= season_start OR strftime(day, '%m-%d') <= season_end END;

-- TWO_CANCERS' qualifying diagnosis (also a hardship signal of MULTI_HARDSHIP).
CREATE OR REPLACE TEMP MACRO qualifying_cancer(cancer, stage, cervical_stages, breast_excluded_stages) AS
    (cancer = '宫颈癌' AND list_contains(cervical_stages, stage))
    OR (cancer = '乳腺癌' AND stage IS NOT NULL AND NOT list_contains(breast_excluded_stages, stage));

-- How two spellings of a name compare for the number-based tiers: equal, same pinyin, or close
-- pinyin (Jaro-Winkler at or above the threshold) all agree.
CREATE OR REPLACE TEMP MACRO name_level(a, pa, b, pb, threshold) AS
    CASE WHEN a IS NULL OR b IS NULL THEN 'unknown'
         WHEN a = b THEN 'exact'
         WHEN pa = pb THEN 'pinyin'
         WHEN jaro_winkler_similarity(pa, pb) >= threshold THEN 'close'
         ELSE 'different' END;

-- ISO 7064 MOD 11-2 arithmetic on an 18-character identity number (repairing typos).
CREATE OR REPLACE TEMP MACRO digit_at(n, i) AS ascii(substr(n, i, 1)) - 48;
CREATE OR REPLACE TEMP MACRO check_sum(n) AS
    ((digit_at(n, 1) * 7 + digit_at(n, 2) * 9 + digit_at(n, 3) * 10 + digit_at(n, 4) * 5 + digit_at(n, 5) * 8
      + digit_at(n, 6) * 4 + digit_at(n, 7) * 2 + digit_at(n, 8) * 1 + digit_at(n, 9) * 6 + digit_at(n, 10) * 3
      + digit_at(n, 11) * 7 + digit_at(n, 12) * 9 + digit_at(n, 13) * 10 + digit_at(n, 14) * 5 + digit_at(n, 15) * 8
      + digit_at(n, 16) * 4 + digit_at(n, 17) * 2) % 11)::INTEGER;
CREATE OR REPLACE TEMP MACRO check_index(n) AS instr('10X98765432', substr(n, 18, 1)) - 1;

-- A JSON array text of the JSON values of a group, in a stable order (ordered aggregate).
CREATE OR REPLACE TEMP MACRO json_list(value, order_key) AS
    coalesce('[' || string_agg(value::VARCHAR, ',' ORDER BY order_key) || ']', '[]');

-- A JSON array text with one more element in front.
CREATE OR REPLACE TEMP MACRO json_prepend(element, arr) AS
    CASE WHEN arr IS NULL OR arr = '[]' THEN '[' || element::VARCHAR || ']'
         ELSE '[' || element::VARCHAR || ',' || substr(arr, 2) END;

-- What an 18-character identity number encodes (whatever its check digit says).
CREATE OR REPLACE TEMP MACRO birth_from_id(n) AS try_strptime(substr(n, 7, 8), '%Y%m%d')::DATE;
CREATE OR REPLACE TEMP MACRO sex_from_id(n) AS
    CASE WHEN n IS NULL THEN NULL WHEN try_cast(substr(n, 17, 1) AS INTEGER) % 2 = 1 THEN '男' ELSE '女' END;

-- The same, best score first (unscored last), ties by a second key.
CREATE OR REPLACE TEMP MACRO json_list_by_score(value, score, tiebreak) AS
    coalesce('[' || string_agg(value::VARCHAR, ',' ORDER BY score DESC NULLS LAST, tiebreak) || ']', '[]');

-- Readable evidence for push lists: "source date 序号n: 字段=值, …; …".
CREATE OR REPLACE TEMP MACRO evidence_text(evidence) AS
    array_to_string(list_transform(from_json(evidence, '["JSON"]'), lambda e:
        (e->>'source') || ' ' || coalesce(e->>'delivery_date', '') || coalesce(' 序号' || (e->>'序号'), '') || ': '
        || array_to_string(list_transform(json_keys(e->'fields'),
                                          lambda k: k || '=' || coalesce((e->'fields')->>k, '')), ', ')), '; ');

-- A warning's 预警编号: the rule's prefix, '-', and 8 characters of Crockford base32 (no I, L, O or
-- U: nothing to mishear on the phone) from the first 40 bits of the md5 of rule_code|subject_key.
-- The same rule and subject give the same id on every night; the outputs gate refuses a night in
-- which two warnings share one (expectations/outputs.json).
CREATE OR REPLACE TEMP MACRO base32_digit(n, shift) AS
    substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', CAST((n // shift) % 32 AS INTEGER) + 1, 1);
CREATE OR REPLACE TEMP MACRO short_code(txt) AS (
    SELECT base32_digit(n, 34359738368) || base32_digit(n, 1073741824) || base32_digit(n, 33554432)
           || base32_digit(n, 1048576) || base32_digit(n, 32768) || base32_digit(n, 1024)
           || base32_digit(n, 32) || base32_digit(n, 1)
    FROM (SELECT CAST('0x' || substr(md5(txt), 1, 10) AS BIGINT) AS n) h);
CREATE OR REPLACE TEMP MACRO warning_code(prefix, rule_code, subject_key) AS
    prefix || '-' || short_code(rule_code || '|' || subject_key);

-- A 预警编号 as a clerk typed it: upper case, no spaces, O/I/L read as 0/1/1 (no prefix uses them,
-- Crockford base32 has none), full-width hyphen as '-', a leading ' (Excel's text mark) dropped.
CREATE OR REPLACE TEMP MACRO typed_warning_id(txt) AS
    nullif(translate(upper(replace(replace(trim(txt), ' ', ''), '　', '')), 'OIL－''', '011-'), '');

-- The items of a JSON array text (an evidence list), each a JSON value: used as unnest(json_items(x)).
CREATE OR REPLACE TEMP MACRO json_items(arr) AS from_json(arr, '["JSON"]');
-- A member of a JSON object as text (NULL when absent), and a field of an evidence item.
CREATE OR REPLACE TEMP MACRO json_text(j, key) AS j->>key;
CREATE OR REPLACE TEMP MACRO evidence_field(item, key) AS (item->'fields')->>key;

-- Where a method of tying a record to a person stands in the certainty order (config/linking.yaml
-- match_certainty, most certain first); a method not listed counts as the least certain.
CREATE OR REPLACE TEMP MACRO method_rank(method, certainty) AS coalesce(list_position(certainty, method), 1000);

-- A review question's 核查编号: 'K' and 11 hex digits of the record's signature (link_records:
-- the same record in every delivery of its source), so a clerk's answer about it holds on every
-- later night. Shown on the review and 身份待核实 lists and typed back in review_decisions.
CREATE OR REPLACE TEMP MACRO review_code(signature) AS 'K' || upper(substr(signature, 1, 11));

-- A day n days after another (n may be 0).
CREATE OR REPLACE TEMP MACRO add_days(day, n) AS CAST(day + CAST(n AS INTEGER) AS DATE);

-- The department a reply file comes from when it has no 部门 column: its name up to the first '_'
-- (push lists are named <部门>_<date>.xlsx), without the extension and a workbook's [sheet].
CREATE OR REPLACE TEMP MACRO file_department(file_label) AS
    nullif(regexp_replace(split_part(file_label, '_', 1), '\.[A-Za-z0-9]+(\[.*\])?$', ''), '');
