"""Password-protected workbooks (push lists and county workbooks), one password per recipient.

On when config/files.yaml says `encryption.enabled: true` or LOWINCOME_ENCRYPT_FILES=1 (=0 turns
it off again). A workbook is encrypted with msoffcrypto-tool (ECMA-376 agile encryption: AES-256,
SHA-512, the format Excel itself writes for "Encrypt with Password"); Excel, WPS and LibreOffice
open it with the password.

Where a recipient's password comes from (never from a command line, never from the repository):
  1. the environment variable LOWINCOME_PASSWORD_<KEY>: KEY is the department's ASCII key from
     config/files.yaml (民政厅 → MCA …) or the county's 6-digit code (LOWINCOME_PASSWORD_230102);
  2. else the secrets file named by LOWINCOME_SECRETS: YAML with `departments:` (by Chinese name
     or ASCII key) and `counties:` (by code). The file must be a regular file owned by this user
     (or root) and readable by its owner only (no group or other permission bits): anything
     else is refused, naming the file and its mode.
A recipient without a password while encryption is on fails the night before anything is
published (MissingPassword names the recipient and where its password is looked for): writing
the workbook unencrypted would leak it, and leaving it out would mark warnings as pushed that
nobody received. The fix is configuration, and a rerun of the night publishes it whole.

The plain workbook exists only as an owner-only temporary file in the run's pending folder
(removed at once, and with the pending folder if the run dies); passwords never reach a log.
"""

from __future__ import annotations

import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.publish.settings import FilesConfig, files_config


class SecretsError(RuntimeError):
    """The secrets file cannot be trusted or read (names the file, never a password)."""


class MissingPassword(RuntimeError):
    """Encryption is on and a recipient has no password."""


def enabled(cfg: FilesConfig | None = None) -> bool:
    cfg = cfg or files_config()
    env = os.environ.get(cfg.encryption["enabled_env"], "").strip().lower()
    if env in ("1", "true", "yes", "on"):
        return True
    if env in ("0", "false", "no", "off"):
        return False
    return bool(cfg.encryption["enabled"])


def _read_secrets(path: Path) -> dict:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SecretsError(f"secrets file {path} does not exist") from None
    if not stat.S_ISREG(st.st_mode):
        raise SecretsError(f"secrets file {path} is not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise SecretsError(f"secrets file {path} has mode {mode:04o}: it must be readable by its owner only "
                           f"(chmod 600 {path})")
    if st.st_uid not in (os.geteuid(), 0):
        raise SecretsError(f"secrets file {path} belongs to user {st.st_uid}, not to this user or root")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeError, yaml.YAMLError) as e:
        raise SecretsError(f"secrets file {path} cannot be read as YAML ({type(e).__name__})") from None
    if not isinstance(doc, dict):
        raise SecretsError(f"secrets file {path}: expected a mapping with departments: and counties:")
    return doc


@dataclass
class Passwords:
    """Looks up recipients' passwords (environment first, then the secrets file, read once)."""

    cfg: FilesConfig = field(default_factory=files_config)
    _file: dict | None = None

    def _secrets(self) -> dict:
        if self._file is None:
            name = os.environ.get(self.cfg.encryption["secrets_env"], "").strip()
            self._file = _read_secrets(Path(name)) if name else {}
        return self._file

    def key(self, kind: str, recipient: str) -> str:
        """The recipient's ASCII key (environment variable suffix)."""
        if kind == "county":
            return recipient
        keys = self.cfg.encryption["department_keys"]
        if recipient not in keys:
            raise MissingPassword(f"department {recipient} has no ASCII key in config/files.yaml "
                                  "(encryption.department_keys): its password cannot be looked up")
        return str(keys[recipient])

    def where(self, kind: str, recipient: str) -> str:
        env = self.cfg.encryption["password_env_prefix"] + self.key(kind, recipient)
        section = "counties" if kind == "county" else "departments"
        return f"{env} or {section}.{recipient} in ${self.cfg.encryption['secrets_env']}"

    def get(self, kind: str, recipient: str) -> str:
        """kind: 'department' (recipient = its Chinese name) or 'county' (its 6-digit code)."""
        key = self.key(kind, recipient)
        value = os.environ.get(self.cfg.encryption["password_env_prefix"] + key)
        if not value:
            section = self._secrets().get("counties" if kind == "county" else "departments") or {}
            value = section.get(recipient) or section.get(key)
            if value is None and kind == "county" and recipient.isdigit():
                value = section.get(int(recipient))
        if value is None or str(value) == "":
            raise MissingPassword(f"no password for {'county' if kind == 'county' else 'department'} {recipient} "
                                  f"(set {self.where(kind, recipient)}); nothing of the night was published")
        return str(value)


def encrypt_file(plain: Path, target: Path, password: str) -> None:
    """`plain` (an .xlsx) encrypted into `target` (written owner-only, then renamed in)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(plain, "rb") as f:
        OOXMLFile(f).encrypt(password, out)
    tmp = target.with_name(f".{target.name}.enc.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(out.getvalue())
    os.replace(tmp, target)


def decrypt_bytes(data: bytes, password: str) -> bytes:
    """The plain workbook of an encrypted one (tests; a feedback reader given the password).
    Raises msoffcrypto's InvalidKeyError on a wrong password."""
    import msoffcrypto

    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    return out.getvalue()


def is_encrypted(path: Path) -> bool:
    import olefile

    return olefile.isOleFile(str(path))


class Protection:
    """What `protected_book` needs: whether to encrypt and where passwords come from."""

    def __init__(self, on: bool | None = None, passwords: Passwords | None = None):
        self.on = enabled() if on is None else on
        self.passwords = passwords or Passwords()


def protected_book(target: Path, kind: str, recipient: str, protection: Protection | None,
                   title: str | None = None, as_of=None):
    """A Book for `target`: written in place, or (encryption on) written to an owner-only
    temporary file and encrypted into `target` when closed. The password is looked up first, so a
    missing one fails before anything is written."""
    from pipelines.fileperms import temp_path
    from pipelines.publish.excel import Book

    if protection is None or not protection.on:
        return Book(target, title, as_of)
    password = protection.passwords.get(kind, recipient)
    plain = temp_path(target)
    fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)

    class _Encrypting(Book):
        def close(self) -> None:
            super().close()
            try:
                encrypt_file(plain, target, password)
            finally:
                plain.unlink(missing_ok=True)

        def abort(self) -> None:   # nothing is encrypted from a failed write
            super().abort()

    return _Encrypting(plain, title, as_of)
