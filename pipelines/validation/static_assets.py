"""Pinned static assets (scripts, styles, fonts, images) for pages that must open offline.

Why: great-expectations' Data Docs load bootstrap, jQuery, bootstrap-table, vega, font-awesome
... from public CDNs; on the province's network (no internet) the index is blank and the pages
are unstyled. The same files, at the versions GX's templates name, come from the npm registry
at *install* time (never at run time), verified against `static_assets.lock.json` (the npm
registry's sha512 of each tarball, a sha256 of each file kept), and are installed into the
virtual environment. Each night's site then uses one shared copy beside it
(`data_docs/_static/`, written only when missing or when a pin changed).

    python -m pipelines.validation.static_assets install [--from DIR]   with the project (dev.py setup)
    python -m pipelines.validation.static_assets fetch --to DIR         on a connected machine: the
                                                                         tarballs, for `install --from DIR`
    python -m pipelines.validation.static_assets check                  installed files match the lock
    python -m pipelines.validation.static_assets lock                   maintainers, after changing a pin

Installed into `$LOWINCOME_STATIC_ASSETS` or `<venv>/share/lowincome-monitor/static-assets/`, as
`<package>@<version>/<path>`; shipped as `_static/<package>@<version>/<path>` (a new pin gets a
new folder, so pages built earlier keep the files they were built with). GX's own favicon and
logo come from the installed great-expectations package (pinned in requirements.lock).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

LOCK = Path(__file__).with_name("static_assets.lock.json")
GX = "great-expectations"
MANIFEST = "MANIFEST.json"   # in the shipped folder: what was shipped, from which lock


class AssetsMissing(RuntimeError):
    """The pinned assets are not installed (or do not match the lock)."""


def load_lock() -> dict:
    return json.loads(LOCK.read_text(encoding="utf-8"))


def install_dir() -> Path:
    env = os.environ.get("LOWINCOME_STATIC_ASSETS")
    return Path(env) if env else Path(sys.prefix) / "share" / "lowincome-monitor" / "static-assets"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _split(spec: str) -> tuple[str, str]:
    """'@scope/name@1.2.3' → ('@scope/name', '1.2.3')."""
    name, _, version = spec.rpartition("@")
    return name, version


def _tarball_name(spec: str) -> str:
    """The file `npm pack` writes: '@scope/name@1.2.3' → 'scope-name-1.2.3.tgz'."""
    name, version = _split(spec)
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def _safe(rel: str) -> PurePosixPath:
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts:
        raise ValueError(f"unsafe path in the lock: {rel}")
    return p


# --- install time ---------------------------------------------------------------------------

def _npm_pack(specs: list[str], dest: Path) -> None:
    """`npm pack` (the npm registry's own client) writes each package's tarball into dest."""
    npm = shutil.which("npm")
    if not npm:
        raise AssetsMissing("npm is not installed: install Node.js/npm, or use `install --from DIR` with "
                            "tarballs made by `fetch --to DIR` on a connected machine")
    subprocess.run([npm, "pack", *specs, "--pack-destination", str(dest), "--silent"], check=True,
                   stdout=subprocess.DEVNULL)


def _extract(tgz: Path, wanted: dict[str, str], out: Path, spec: str, integrity: str | None) -> None:
    """Check the tarball's sha512 against the lock, then extract only the listed files (sha256-checked)."""
    if integrity and _integrity(tgz) != integrity:
        raise AssetsMissing(f"{spec}: tarball {tgz.name} does not match the lock's integrity {integrity[:20]}...")
    found: dict[str, bytes] = {}
    with tarfile.open(tgz, "r:gz") as tar:
        for m in tar.getmembers():
            rel = "/".join(m.name.split("/")[1:])      # npm tarballs hold one top folder ("package/")
            if rel in wanted and m.isfile():
                found[rel] = tar.extractfile(m).read()
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise AssetsMissing(f"{spec}: {tgz.name} lacks {missing}")
    for rel, data in found.items():
        digest = hashlib.sha256(data).hexdigest()
        if wanted[rel] and digest != wanted[rel]:
            raise AssetsMissing(f"{spec}/{rel}: sha256 {digest} does not match the lock")
        target = out / spec / _safe(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, data)


def missing_packages(lock: dict | None = None, root: Path | None = None) -> list[str]:
    """Packages of the lock whose installed files are absent or differ."""
    lock = lock or load_lock()
    root = root or install_dir()
    bad = []
    for spec, pkg in lock["npm"].items():
        for rel, digest in pkg["files"].items():
            p = root / spec / _safe(rel)
            if not p.is_file() or _sha256(p) != digest:
                bad.append(spec)
                break
    return bad


def install(from_dir: Path | None = None, root: Path | None = None) -> list[str]:
    """Install the lock's packages that are missing; returns what was installed (none: all there)."""
    lock = load_lock()
    root = root or install_dir()
    todo = missing_packages(lock, root)
    if not todo:
        return []
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="npm-pack-") as tmp:
        src = Path(from_dir) if from_dir else Path(tmp)
        if not from_dir:
            _npm_pack(todo, src)
        for spec in todo:
            tgz = src / _tarball_name(spec)
            if not tgz.exists():
                raise AssetsMissing(f"{spec}: no {tgz.name} in {src}")
            _extract(tgz, lock["npm"][spec]["files"], root, spec, lock["npm"][spec]["integrity"])
    still = missing_packages(lock, root)
    if still:
        raise AssetsMissing(f"not installed as locked: {still}")
    return todo


def fetch(to_dir: Path) -> list[Path]:
    """The lock's tarballs into to_dir (integrity-checked), for `install --from` on an offline machine."""
    lock = load_lock()
    to_dir.mkdir(parents=True, exist_ok=True)
    _npm_pack(list(lock["npm"]), to_dir)
    out = []
    for spec, pkg in lock["npm"].items():
        tgz = to_dir / _tarball_name(spec)
        if _integrity(tgz) != pkg["integrity"]:
            raise AssetsMissing(f"{spec}: {tgz.name} does not match the lock's integrity")
        out.append(tgz)
    return out


_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+?)['\"]?\s*\)")


def css_references(css: str, css_rel: str) -> list[str]:
    """Package-relative paths of the files a stylesheet loads with url(...) (not data: or http)."""
    out = []
    base = PurePosixPath(css_rel).parent
    for ref in _CSS_URL.findall(css):
        ref = ref.split("?")[0].split("#")[0]
        if not ref or ref.startswith(("data:", "http:", "https:", "//")):
            continue
        parts: list[str] = []
        for piece in (base / ref).parts:
            if piece == "..":
                parts.pop()
            elif piece != ".":
                parts.append(piece)
        out.append("/".join(parts))
    return sorted(set(out))


def relock() -> dict:
    """Maintainers: re-fetch every pinned package and record its integrity and file hashes.

    The files of a package are the ones listed in the lock plus whatever its stylesheets load
    (fonts, images), so a pin change needs only the lock's `urls` and `files` keys edited."""
    lock = load_lock()
    with tempfile.TemporaryDirectory(prefix="npm-lock-") as tmp:
        _npm_pack(list(lock["npm"]), Path(tmp))
        for spec, pkg in lock["npm"].items():
            tgz = Path(tmp) / _tarball_name(spec)
            pkg["integrity"] = _integrity(tgz)
            with tarfile.open(tgz, "r:gz") as tar:
                members = {"/".join(m.name.split("/")[1:]): m for m in tar.getmembers() if m.isfile()}
                wanted = set(pkg["files"])
                for rel in list(wanted):
                    if rel.endswith(".css"):
                        wanted |= set(css_references(tar.extractfile(members[rel]).read().decode("utf-8"), rel))
                pkg["files"] = {rel: hashlib.sha256(tar.extractfile(members[rel]).read()).hexdigest()
                                for rel in sorted(wanted)}
    LOCK.write_text(json.dumps(lock, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return lock


# --- run time: ship once beside the site ----------------------------------------------------

@dataclass
class Shipped:
    root: Path                 # the shared folder, e.g. <out>/data_docs/_static
    urls: dict[str, str]       # CDN URL (without query) → path relative to root
    written: list[str]         # files written this time (empty when all were there already)


def _gx_static() -> tuple[str, Path]:
    spec = importlib.util.find_spec("great_expectations")   # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise AssetsMissing("great_expectations is not installed")
    return importlib.metadata.version(GX), Path(list(spec.submodule_search_locations)[0]) / "render" / "view" / "static"


def _sources(lock: dict) -> dict[str, Path]:
    """Shipped relative path → installed file, for every asset of the lock."""
    root = install_dir()
    bad = missing_packages(lock, root)
    if bad:
        raise AssetsMissing(f"static assets not installed in {root}: {', '.join(bad)}; run "
                            "`python -m pipelines.validation.static_assets install`")
    targets = list(lock["urls"].values())   # only what the Data Docs load (the report inlines its own)
    out = {f"{spec}/{rel}": root / spec / _safe(rel) for spec, pkg in lock["npm"].items()
           if any(t.startswith(f"{spec}/") for t in targets) for rel in pkg["files"]}
    gx_version, gx_static = _gx_static()
    for rel in lock[GX]["files"]:
        src = gx_static / _safe(rel)
        if not src.is_file():
            raise AssetsMissing(f"great-expectations {gx_version} has no static/{rel}")
        out[f"{GX}@{gx_version}/{rel}"] = src
    return out


def _url_map(lock: dict) -> dict[str, str]:
    gx_version, _ = _gx_static()
    return {url: target.replace(f"{GX}/", f"{GX}@{gx_version}/", 1) if target.startswith(f"{GX}/") else target
            for url, target in lock["urls"].items()}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def ship(static_root: Path) -> Shipped:
    """Make `static_root` hold every pinned asset; writes only what is missing or differs.

    The fast path (every night after the first): the manifest names this lock and GX version
    and every file is there — nothing is read or written but the manifest and a stat per file."""
    lock = load_lock()
    static_root = Path(static_root)
    urls = _url_map(lock)
    gx_version, _ = _gx_static()
    stamp = hashlib.sha256(LOCK.read_bytes() + gx_version.encode()).hexdigest()
    manifest = static_root / MANIFEST
    try:
        shipped = json.loads(manifest.read_text(encoding="utf-8"))
        if shipped.get("stamp") == stamp and all((static_root / rel).is_file() for rel in shipped["files"]):
            return Shipped(static_root, urls, [])
    except (OSError, ValueError, KeyError):
        pass
    written = []
    files = {}
    for rel, src in _sources(lock).items():
        data = src.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        target = static_root / _safe(rel)
        if not (target.is_file() and _sha256(target) == digest):
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, data)
            written.append(rel)
        files[rel] = digest
    static_root.mkdir(parents=True, exist_ok=True)
    _write_atomic(manifest, json.dumps({"stamp": stamp, "great_expectations": gx_version, "files": files},
                                       indent=1, sort_keys=True).encode("utf-8"))
    return Shipped(static_root, urls, written)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.validation.static_assets",
                                 description="Pinned static assets for offline pages (see the module doc).")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("install", help="install the locked packages that are missing (npm pack, or --from DIR)")
    p.add_argument("--from", dest="from_dir", type=Path, help="folder of tarballs made by `fetch`")
    p = sub.add_parser("fetch", help="download the locked tarballs into a folder")
    p.add_argument("--to", type=Path, required=True)
    sub.add_parser("check", help="exit 1 unless every locked file is installed and matches")
    sub.add_parser("lock", help="maintainers: refresh integrity and file hashes from the registry")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "install":
            done = install(args.from_dir)
            print(f"static assets in {install_dir()}: " + (f"installed {', '.join(done)}" if done else "all present"))
        elif args.cmd == "fetch":
            for t in fetch(args.to):
                print(t)
        elif args.cmd == "check":
            bad = missing_packages()
            print(f"static assets in {install_dir()}: " + (f"missing or changed: {', '.join(bad)}" if bad else "ok"))
            return 1 if bad else 0
        else:
            lock = relock()
            print(f"{LOCK}: {len(lock['npm'])} packages, "
                  f"{sum(len(p['files']) for p in lock['npm'].values())} files")
    except (AssetsMissing, subprocess.CalledProcessError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
