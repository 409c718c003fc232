-- The near relatives declared in staff_roster (近亲属姓名, 近亲属身份证号) tied to registry persons:
-- the relative's number is valid (typed as 18 characters, or converted from the old 15-digit
-- form) and is the number of a registry person (the enrolment it stands for, enrolment_rank 1),
-- and the names do not disagree (equal, same pinyin, or close pinyin: macro name_level, as the
-- linker's exact tier; a blank relative name does not disagree). A mistyped or missing relative
-- number ties nobody: precision first (a wrong tie would accuse a family of 人情保).
-- The roster row itself is tied to its staff member by the linker (tie_records). role = 'relative'.
-- signature: the relative's identity in any delivery of the roster.
SELECT s.delivery_date, s.record_no, p.person_id,
       CASE WHEN s.relative_id_number_was_15 THEN 'id15_converted' ELSE 'exact_id' END AS method,
       md5(concat_ws('|', 'staff_roster', 'relative', s.relative_id_number)) AS signature,
       'staff_roster' AS source, 'relative' AS role
FROM cur_staff_roster s
JOIN registry_facts p ON p.id_number = s.relative_id_number AND p.enrolment_rank = 1
WHERE s.relative_id_number_status = 'valid'
  AND name_level(s.relative_name, s.relative_name_pinyin, p.name, p.name_pinyin, $name_agreement_jaro_winkler)
      <> 'different'
