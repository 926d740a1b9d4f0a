"""Solara's browser files (JavaScript, CSS, fonts), installed for use with no internet.

The Solara server sends its page's scripts and styles from ``/_solara/cdn/``, reading them
from a cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR``) and fetching any it lacks from a
public CDN. In a venue with no internet a missing file leaves the page blank, so the
project's setup fills the cache beforehand: each npm package the page template names, and
each one that the Solara components the dashboard draws load (the Markdown component's
diagram and formula libraries), is fetched with ``npm pack`` from the npm registry and
unpacked into ``<package>@<version>/``, the cache's layout. The dashboard's server only reads
that folder (:mod:`.cdn`). Run it as::

    .venv/bin/python -m wfabm.dashboard.assets
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

__all__ = [
    "COMPONENTS",
    "AssetsError",
    "cache_dir",
    "component_packages",
    "fetch",
    "main",
    "missing",
    "packages",
    "template_packages",
]

_CDN_PACKAGE_RE = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.+-]+)/")
_COMPONENT_PACKAGE_RE = re.compile(r"\$\{this\.getCdn\(\)\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.+-]+)/")
_BLOCK_RE = re.compile(r"\{%-?\s*(if|elif|else|endif)\b(.*?)-?%\}", re.DOTALL)


COMPONENTS = ("markdown.py",)
"""The modules of ``solara.components`` the dashboard draws that load files from the CDN
(``solara.Markdown`` loads mermaid, and KaTeX where the page has no formula renderer)."""


class AssetsError(RuntimeError):
    """The assets cannot be fetched (no npm, the registry refused, a bad package)."""


def cache_dir() -> Path:
    """Where the assets are installed: ``share/wfabm/solara-assets`` in the environment."""
    return Path(sys.prefix) / "share" / "wfabm" / "solara-assets"


def template_packages(template: str, *, vue3: bool = False) -> list[str]:
    """The npm packages (``name@version``) a Solara page template loads from the CDN.

    Args:
        template: The text of ``solara.html.j2``.
        vue3: Whether the page uses Vue 3 (ipyvuetify 3); with ipyvuetify 1 and 2 it does not,
            and the template's Vue 3 branches are left out.

    Returns:
        The packages in the order they first appear, each once.
    """
    if not vue3:
        template = _without_vue3_branches(template)
    found: dict[str, None] = {}
    for name, version in _CDN_PACKAGE_RE.findall(template):
        found[f"{name}@{version}"] = None
    return list(found)


def _without_vue3_branches(template: str) -> str:
    """The template with the text of its ``{% if vue3 == True %}`` branches removed.

    Other conditions keep both branches: the files they choose between (e.g. minified or
    not) come from the same packages.
    """
    kept: list[str] = []
    # One entry per open {% if %}: whether its current branch is a Vue 3 one.
    skipping: list[bool] = []
    position = 0
    for block in _BLOCK_RE.finditer(template):
        if not any(skipping):
            kept.append(template[position : block.start()])
        position = block.end()
        keyword, condition = block.group(1), block.group(2)
        if keyword == "if":
            skipping.append(" ".join(condition.split()) == "vue3 == True")
        elif keyword in ("elif", "else") and skipping:
            skipping[-1] = False
        elif keyword == "endif" and skipping:
            skipping.pop()
    kept.append(template[position:])
    return "".join(kept)


def component_packages(source: str) -> list[str]:
    """The npm packages (``name@version``) a Solara component's code loads from the CDN.

    Args:
        source: The component's Python source, whose browser code names its files as
            ``${this.getCdn()}/<package>@<version>/<file>``.

    Returns:
        The packages in the order they first appear, each once.
    """
    found = {f"{name}@{version}": None for name, version in _COMPONENT_PACKAGE_RE.findall(source)}
    return list(found)


def packages() -> list[str]:
    """The npm packages the installed Solara's page and components need, with their versions."""
    import ipyvuetify
    from solara.server import settings

    template = (files("solara.server") / "templates" / "solara.html.j2").read_text("utf-8")
    vue3 = int(ipyvuetify.__version__.split(".")[0]) >= 3
    needed = template_packages(template, vue3=vue3)
    if settings.assets.fontawesome_enabled:
        # The font's path is a setting rather than template text: "/font-awesome@4.5.0/css/...".
        needed.append(settings.assets.fontawesome_path.strip("/").split("/")[0])
    for component in COMPONENTS:
        source = (files("solara.components") / component).read_text("utf-8")
        needed.extend(spec for spec in component_packages(source) if spec not in needed)
    return needed


def missing(folder: Path, wanted: Sequence[str]) -> list[str]:
    """The packages of ``wanted`` that are not unpacked in ``folder``."""
    return [spec for spec in wanted if not (folder / spec / "package.json").is_file()]


def fetch(folder: Path, wanted: Sequence[str], *, npm: str = "npm") -> list[str]:
    """Fetch and unpack the packages that ``folder`` lacks.

    Each package is packed by npm into a temporary folder, unpacked beside its final place
    and renamed into it, so an interrupted fetch leaves no half-unpacked package.

    Args:
        folder: The cache folder.
        wanted: Packages as ``name@version``.
        npm: The npm command.

    Returns:
        The packages fetched (none if all were there).

    Raises:
        AssetsError: If npm is missing or fails.
    """
    todo = missing(folder, wanted)
    if not todo:
        return []
    if shutil.which(npm) is None:
        raise AssetsError(
            f"npm is needed to fetch Solara's browser files ({', '.join(todo)}) but was not "
            "found; install Node.js and npm, then run this again."
        )
    folder.mkdir(parents=True, exist_ok=True)
    for spec in todo:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as scratch:
            packed = Path(scratch) / "packed"
            packed.mkdir()
            done = subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", str(packed)],
                capture_output=True,
                text=True,
                check=False,
            )
            tarballs = list(packed.glob("*.tgz"))
            if done.returncode != 0 or len(tarballs) != 1:
                detail = (done.stderr or done.stdout).strip().splitlines()
                raise AssetsError(
                    f"npm could not fetch {spec}: {detail[-1] if detail else 'no tarball'}."
                )
            unpacked = Path(scratch) / "unpacked"
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(unpacked, filter="data")
            # npm tarballs hold one top folder, "package/".
            (top,) = list(unpacked.iterdir())
            target = folder / spec
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            top.rename(target)
    return todo


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch Solara's browser files into the cache folder (the project's setup runs this).

    Returns:
        0 on success, 1 if they cannot be fetched.
    """
    parser = argparse.ArgumentParser(
        prog="python -m wfabm.dashboard.assets",
        description="Fetch Solara's JavaScript and CSS so the dashboard works offline.",
    )
    parser.add_argument("--dir", type=Path, default=cache_dir(), help="cache folder")
    args = parser.parse_args(argv)
    try:
        fetched = fetch(args.dir, packages())
    except AssetsError as error:
        print(f"wfabm: error: {error}", file=sys.stderr)
        return 1
    state = f"fetched {', '.join(fetched)}" if fetched else "already in place"
    print(f"Solara's browser files: {state} ({args.dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
