#!/usr/bin/env python3
"""Set up the project's virtual environment and run a job in it: the README's two commands.

    python3 dev.py demo    generate demo data, run the pipeline on it, print where results are
    python3 dev.py test    run the whole test suite
    python3 dev.py setup   only create/refresh .venv

Needs only Python 3.11+ and the package registries. Installs uv into .venv (fast resolver),
then the pinned lock file and the project itself (editable). Re-running is cheap: it skips
the install when the lock file and pyproject.toml have not changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _run(*cmd: str | Path) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def _fingerprint() -> str:
    h = hashlib.sha256()
    for name in ("pyproject.toml", "requirements.lock", "pipelines/validation/static_assets.lock.json"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def setup() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        _run(sys.executable, "-m", "venv", VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv==0.13.9")
    env_python = str(BIN / "python")
    # --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (CI machines here), every process would
    # otherwise compile every module it imports from source (great_expectations alone: seconds)
    _run(BIN / "uv", "pip", "install", "--quiet", "--compile-bytecode", "--python", env_python, "-r", "requirements.lock")
    _run(BIN / "uv", "pip", "install", "--quiet", "--no-deps", "--python", env_python, "-e", ".")
    _run(BIN / "python", "-m", "compileall", "-q", "pipelines", "synthetic")
    # the Data Docs' scripts, styles and fonts, pinned, from the npm registry into .venv (offline at run time)
    _run(BIN / "python", "-m", "pipelines.validation.static_assets", "install")
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    job = argv[0] if argv else "help"
    if job not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    setup()
    rest = argv[1:]
    if job == "demo":
        # the generator is development-only (synthetic/, not installed): run from the project root
        return subprocess.call([str(BIN / "python"), "-m", "synthetic", "demo", "--run", *rest], cwd=ROOT)
    if job == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", "-n", "2", *rest], cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
