"""Build step: record the git commit a wheel or source archive is built from in the package.

An installed wheel has no repository around it, so without this the manifests it writes
could not say which code made them (see ``wfabm/batch/provenance.py``). A source archive carries
the file, so a wheel built from it records the same commit. Editable installs ask git
directly and get nothing; so does a build outside a git checkout from files that do not
carry it, whose results then record no commit.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# The name wfabm.batch.provenance.COMMIT_FILE reads; the package cannot be imported while it builds.
COMMIT_FILE = "wfabm/git_commit.txt"


class CommitBuildHook(BuildHookInterface):
    """Adds ``wfabm/git_commit.txt``, holding the checkout's ``HEAD``, to what is built."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Write the commit to a temporary file and include it in the wheel or archive.

        Args:
            version: ``"standard"`` or ``"editable"``.
            build_data: Hatchling's build data; its ``force_include`` gains the file.
        """
        self._folder: Path | None = None
        if version == "editable":
            return
        commit = _head(Path(self.root))
        if commit is None:
            return
        self._folder = Path(tempfile.mkdtemp(prefix="wfabm-build-"))
        recorded = self._folder / "git_commit.txt"
        recorded.write_text(commit + "\n", encoding="utf-8")
        build_data["force_include"][str(recorded)] = COMMIT_FILE

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary file once the wheel or archive is written.

        Args:
            version: As for :meth:`initialize`.
            build_data: As for :meth:`initialize`.
            artifact_path: The file written.
        """
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def _head(root: Path) -> str | None:
    """``HEAD`` of the checkout whose top folder is ``root``, or None."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    if result.returncode != 0 or len(lines) < 2:
        return None
    # A source archive unpacked inside some other repository is not that repository's code.
    top, commit = Path(lines[0]), lines[1].strip()
    if top.resolve() != root.resolve() or not re.fullmatch(r"[0-9a-f]{40}", commit):
        return None
    return commit
