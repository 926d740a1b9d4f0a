"""Where results came from: the installed package versions and the git commit of wfabm.

Every results folder's manifest records both, so that a result can be repeated with the same
code (``wfabm replicate``) and a difference traced to a change of version.

The commit is known in two ways. A source checkout (an editable install, or running from the
repository) asks git for the checkout's ``HEAD``. A normal install has no repository around
its files, so the wheel's build step (``hatch_build.py``) records the commit it was built
from in :data:`COMMIT_FILE` inside the package.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "COMMIT_FILE",
    "PACKAGES",
    "commit_text",
    "git_commit",
    "package_versions",
    "recorded_commit",
    "spec_checkout",
]

PACKAGES: tuple[str, ...] = ("wfabm", "mesa", "numpy", "polars", "networkx")
"""The packages whose versions every manifest records (besides Python's)."""

COMMIT_FILE = "git_commit.txt"
"""The file, inside the installed package, holding the commit a wheel was built from."""

_COMMIT = re.compile(r"[0-9a-f]{40}")
_PACKAGE = Path(__file__).resolve().parents[1]


def git_commit() -> str | None:
    """The git commit of the wfabm code that is running.

    Returns:
        The 40-digit commit of the source checkout when wfabm runs from one; else the commit
        the installed wheel was built from (:func:`recorded_commit`); else None (a wheel
        built without git, such as from a source archive).
    """
    return _checkout_commit(_PACKAGE) or recorded_commit(_PACKAGE)


def spec_checkout(path: Path) -> dict[str, Any] | None:
    """The git state of the checkout an experiment's spec file is tracked in.

    An experiment is usually run from a checkout of its study (or of wfabm itself); its
    commit, and whether the spec or anything else there was changed since, say which
    version of the spec and its scenario files made the results, whichever way wfabm was
    installed.

    Args:
        path: The spec file.

    Returns:
        ``{"commit": ..., "dirty": bool, "file": the spec's path in the checkout}``, or None
        when the file is not tracked by git (or git is not available).
    """
    folder = path.resolve().parent
    commit = _checkout_commit(folder, path.name)
    if commit is None:
        return None
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        inside = subprocess.run(
            ["git", "ls-files", "--full-name", "--", path.name],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {
        "commit": commit,
        "dirty": bool(status.stdout.strip()),
        "file": inside.stdout.strip(),
    }


def commit_text(manifest: dict[str, Any]) -> str:
    """Which code and which spec made a results folder, for reports: never "None"."""
    code = manifest.get("git_commit")
    parts = [
        f"wfabm git commit {code[:12]}"
        if code
        else "wfabm git commit not recorded (installed from files without git history)"
    ]
    checkout = manifest.get("spec_checkout")
    if checkout:
        dirty = ", with uncommitted changes" if checkout.get("dirty") else ""
        parts.append(f"spec {checkout.get('file')} at commit {checkout['commit'][:12]}{dirty}")
    return "; ".join(parts)


def recorded_commit(package: Path = _PACKAGE) -> str | None:
    """The commit recorded in an installed package's :data:`COMMIT_FILE`.

    Args:
        package: The installed ``wfabm`` folder.

    Returns:
        The commit, or None if the file is missing or does not hold one.
    """
    try:
        text = (package / COMMIT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text if _COMMIT.fullmatch(text) else None


def package_versions(extra: Iterable[str] = ()) -> dict[str, str | None]:
    """The versions of Python, :data:`PACKAGES` and ``extra``, None for a missing package.

    Args:
        extra: More distribution names to look up, after :data:`PACKAGES`.

    Returns:
        ``{"python": ..., name: version or None, ...}`` in that order.
    """
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in (*PACKAGES, *extra):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _checkout_commit(package: Path, tracked_file: str = "__init__.py") -> str | None:
    """``HEAD`` of the git checkout whose files these are, or None when they are not tracked.

    An installed package may sit inside some other repository (a virtualenv in a checkout);
    that repository's ``HEAD`` says nothing about the installed files, so git is asked only
    whether it tracks the package's files.
    """
    try:
        tracked = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", tracked_file],
            cwd=package,
            capture_output=True,
            timeout=5,
            check=False,
        )
        if tracked.returncode != 0:
            return None
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=package,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return commit if head.returncode == 0 and _COMMIT.fullmatch(commit) else None
