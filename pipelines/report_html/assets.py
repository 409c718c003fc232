"""The chart library's JavaScript, inlined into the report: vega, vega-lite and vega-embed.

Why inline: the report is one file that must draw its charts on the province's network, which
has no internet, and on a laptop it was mailed to, which has no folder beside it. The three
files are the npm packages pinned in pipelines/validation/static_assets.lock.json (installed with
the project, never fetched at run time), at the Vega-Lite version altair writes its specs for;
each is checked against the lock's sha256 before it goes into a report.

Why Vega-Lite and not plotly: the three minified files are 0.83 MB together, plotly.js alone
4.83 MB (plotly.min.js of plotly.js-dist-min 4.1.2), and the report is written every night and
mailed; both draw offline once inlined. The Vega-Lite specs are made in Python by altair (already
pinned through great-expectations).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from pipelines.validation import static_assets

# (npm package, file in it): the order they must load in (vega-lite needs vega, embed needs both)
PACKAGES = (("vega", "build/vega.min.js"), ("vega-lite", "build/vega-lite.min.js"),
            ("vega-embed", "build/vega-embed.min.js"))


@dataclass(frozen=True)
class Script:
    spec: str      # npm package@version
    text: str      # the minified script


def _major(version: str) -> str:
    return version.split(".")[0]


def _wanted_versions() -> dict[str, str]:
    """package → the major (vega, vega-embed) or exact (vega-lite) version altair renders for."""
    from altair.vegalite.v6 import VEGA_VERSION, VEGAEMBED_VERSION, VEGALITE_VERSION

    return {"vega": VEGA_VERSION, "vega-lite": VEGALITE_VERSION, "vega-embed": VEGAEMBED_VERSION}


def _pick(lock: dict, package: str, wanted: str) -> str:
    """The lock's spec of `package` matching `wanted` (exact, or a major version)."""
    specs = [s for s in lock["npm"] if s.rpartition("@")[0] == package]
    exact = [s for s in specs if s.rpartition("@")[2] == wanted]
    if exact:
        return exact[0]
    major = [s for s in specs if "." not in wanted and _major(s.rpartition("@")[2]) == wanted]
    if not major:
        raise static_assets.AssetsMissing(
            f"static_assets.lock.json pins no {package}@{wanted} (the version altair renders for)")
    return max(major, key=lambda s: tuple(int(p) for p in s.rpartition("@")[2].split(".")))


@cache
def scripts() -> tuple[Script, ...]:
    """The three scripts, verified against the lock (AssetsMissing names the fix)."""
    lock = static_assets.load_lock()
    root = static_assets.install_dir()
    wanted = _wanted_versions()
    out = []
    for package, rel in PACKAGES:
        spec = _pick(lock, package, wanted[package])
        path = root / spec / rel
        digest = lock["npm"][spec]["files"][rel]
        if not path.is_file():
            raise static_assets.AssetsMissing(f"{spec} is not installed in {root}: run "
                                              "`python -m pipelines.validation.static_assets install`")
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise static_assets.AssetsMissing(f"{path} does not match static_assets.lock.json")
        out.append(Script(spec, data.decode("utf-8")))
    return tuple(out)


def inline(text: str) -> str:
    """A script's text as it goes between <script> and </script>. Only `</script` and `<!--` would
    change how a browser reads it there, and rewriting them could break a regular expression, so
    a script holding either is refused (the pinned ones hold neither; a test says so)."""
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise ValueError("a script holding </script or <!-- cannot be inlined as it is")
    return text


def json_for_script(text: str) -> str:
    """JSON text safe inside <script type="application/json">: every < as \\u003c (JSON only has
    it inside strings, where the escape means the same)."""
    return text.replace("<", "\\u003c")
