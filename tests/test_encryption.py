"""Encrypted push lists and county workbooks: each opens with its recipient's password (and shows
the right content), not with another's; passwords come from LOWINCOME_PASSWORD_<KEY> or an
owner-only secrets file (a group- or world-readable one is refused); a recipient without a
password fails the night before anything is published, and no password ever reaches a message."""

from __future__ import annotations

import io
import os
from datetime import date

import msoffcrypto
import openpyxl
import pytest

from pipelines.publish import PublishSummary, write_push_lists
from pipelines.publish.county import county_file_name, write_county_workbooks
from pipelines.publish.divisions import name_maps
from pipelines.publish.encrypt import (MissingPassword, Passwords, Protection, SecretsError, decrypt_bytes,
                                       enabled, is_encrypted)
from pipelines.publish.pushlists import push_file_name, summary_file_name
from pipelines.publish.rows import prepare
from pipelines.rules.catalogue import load_catalogue

from publishrows import AS_OF, frame, row

ENV_PREFIX = "LOWINCOME_PASSWORD_"


@pytest.fixture
def clean_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith(ENV_PREFIX) or k in ("LOWINCOME_SECRETS", "LOWINCOME_ENCRYPT_FILES"):
            monkeypatch.delenv(k)
    return monkeypatch


def secrets_file(tmp_path, departments: dict, counties: dict, mode: int = 0o600):
    import yaml

    path = tmp_path / "passwords.yaml"
    path.write_text(yaml.safe_dump({"departments": departments, "counties": counties}, allow_unicode=True),
                    encoding="utf-8")
    os.chmod(path, mode)
    return path


def opened(path, password: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(decrypt_bytes(path.read_bytes(), password)))


def test_passwords_from_the_environment_first_then_the_secrets_file(tmp_path, clean_env):
    path = secrets_file(tmp_path, {"民政厅": "file-mca", "NHSA": "file-nhsa"}, {"230102": "file-230102", 230123: "x"})
    clean_env.setenv("LOWINCOME_SECRETS", str(path))
    clean_env.setenv(ENV_PREFIX + "MCA", "env-mca")
    pw = Passwords()
    assert pw.get("department", "民政厅") == "env-mca"
    assert pw.get("department", "医保局") == "file-nhsa"           # by its ASCII key
    assert pw.get("county", "230102") == "file-230102"
    assert pw.get("county", "230123") == "x"                      # an unquoted code is a YAML number
    with pytest.raises(MissingPassword, match=r"county 230104 \(set LOWINCOME_PASSWORD_230104 or counties.230104"):
        pw.get("county", "230104")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_secrets_file_others_can_read_is_refused(tmp_path, clean_env, mode):
    path = secrets_file(tmp_path, {"民政厅": "s3cret-pass"}, {}, mode)
    clean_env.setenv("LOWINCOME_SECRETS", str(path))
    with pytest.raises(SecretsError, match=f"mode {mode:04o}.*owner only") as e:
        Passwords().get("department", "民政厅")
    assert "s3cret-pass" not in str(e.value)


def test_encryption_is_off_unless_asked(clean_env):
    assert not enabled()
    clean_env.setenv("LOWINCOME_ENCRYPT_FILES", "1")
    assert enabled()


@pytest.fixture
def rows():
    return prepare(frame([row("民政厅", "VEHICLE_OWNER", 4, "230102"), row("医保局", "MED_SUBSIDY", 1, "230123"),
                          row("县级协调机制", "MULTI_HARDSHIP", 3, "230102", urgent=True)]), name_maps())


def all_passwords(tmp_path, clean_env, counties: dict | None = None):
    departments = {d: f"pw-{i}-{d}" for i, d in enumerate(load_catalogue().departments)}
    counties = {"230102": "pw-230102", "230123": "pw-230123"} if counties is None else counties
    clean_env.setenv("LOWINCOME_SECRETS", str(secrets_file(tmp_path, departments, counties)))
    return departments, counties


def test_workbooks_open_with_their_own_password_only(tmp_path, clean_env, rows):
    departments, counties = all_passwords(tmp_path, clean_env)
    push, county = tmp_path / "push", tmp_path / "county"
    summary = PublishSummary(AS_OF)
    write_push_lists(rows, push, AS_OF, summary, Protection(on=True))
    write_county_workbooks(rows, county, AS_OF, Protection(on=True))
    mca = push / push_file_name("民政厅", AS_OF)
    assert is_encrypted(mca) and summary.encrypted
    with pytest.raises(Exception):
        openpyxl.load_workbook(mca)                                   # not readable without the password
    book = opened(mca, departments["民政厅"])
    values = [c.value for r in book.worksheets[0].iter_rows() for c in r]
    assert rows.filter(department="民政厅")["id_number"][0] in values
    assert "民政厅 低收入人口动态监测预警推送清单（2026-11-28）" in values
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        decrypt_bytes(mca.read_bytes(), departments["医保局"])
    with pytest.raises(msoffcrypto.exceptions.DecryptionError):       # no password at all
        decrypt_bytes(mca.read_bytes(), "")
    harbin = county / county_file_name("230102", AS_OF)
    assert is_encrypted(harbin)
    values = [c.value for r in opened(harbin, counties["230102"]).worksheets[0].iter_rows() for c in r]
    assert rows.filter(county_code="230102", rule_code="MULTI_HARDSHIP")["id_number"][0] in values
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        decrypt_bytes(harbin.read_bytes(), counties["230123"])
    assert not is_encrypted(push / summary_file_name(AS_OF))         # masked: nobody's own data
    assert not list(push.glob(".*")) and not list(county.glob(".*"))  # no plain temporary copy left


def test_a_missing_password_fails_before_the_file_is_written(tmp_path, clean_env, rows):
    departments, _ = all_passwords(tmp_path, clean_env)
    del departments["医保局"]
    clean_env.setenv("LOWINCOME_SECRETS", str(secrets_file(tmp_path, departments, {"230102": "a", "230123": "b"})))
    with pytest.raises(MissingPassword, match="department 医保局 .*LOWINCOME_PASSWORD_NHSA") as e:
        write_push_lists(rows, tmp_path / "push", AS_OF, PublishSummary(AS_OF), Protection(on=True))
    assert not any(v in str(e.value) for v in departments.values())
    assert not (tmp_path / "push" / push_file_name("医保局", AS_OF)).exists()
    assert not list((tmp_path / "push").glob(".*"))


def test_a_night_with_encryption_on_and_a_missing_password_publishes_nothing(tmp_path, clean_env):
    from pipelines.orchestrate import run_for_date
    from pipelines.store.layout import outputs_root_for
    from rulezone import Person, write_registry, write_source

    landing = tmp_path / "landing"
    person = Person("car", 1)
    write_registry(landing, "2026-11-28", [person])
    write_source(landing, "vehicles", "2026-11-28", [(person, {})], AS_OF)
    departments, _ = all_passwords(tmp_path, clean_env, counties={})
    clean_env.setenv("LOWINCOME_ENCRYPT_FILES", "1")
    wh = tmp_path / "wh.duckdb"
    with pytest.raises(MissingPassword, match="county 230102"):
        run_for_date(landing, wh, AS_OF)          # the county of the warning has no password
    assert not (outputs_root_for(wh) / "push" / AS_OF.isoformat()).exists()
    clean_env.setenv(ENV_PREFIX + "230102", "pw-county")
    summary = run_for_date(landing, wh, AS_OF)
    county = outputs_root_for(wh) / "county" / AS_OF.isoformat() / county_file_name("230102", AS_OF)
    assert summary.published.encrypted and is_encrypted(county)
    values = [c.value for r in opened(county, "pw-county").worksheets[0].iter_rows() for c in r]
    assert person.id_number in values
    mca = summary.published.push_dir / push_file_name("民政厅", date(2026, 11, 28))
    assert person.id_number in [c.value for r in opened(mca, departments["民政厅"]).worksheets[0].iter_rows() for c in r]
