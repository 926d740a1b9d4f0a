"""Write a file or a folder whole or not at all.

Everything wfabm writes (a run's folder, a comparison's folder, an experiment's run files and
manifest, an analysis, a calibration's outputs) goes through :func:`write_atomically`: it is
written under a hidden temporary name beside its target and renamed into place only when
complete, so an interrupted write leaves either the old target or the new one, never a half.
The temporary names are ``.<name>.<pid>.tmp``; :func:`is_temporary` recognises them, so a
results store can delete what an interrupted session left.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

__all__ = ["TEMPORARY_SUFFIX", "is_temporary", "temporary_path", "write_atomically", "write_text"]

TEMPORARY_SUFFIX = ".tmp"
"""How every temporary name of :func:`write_atomically` ends."""


def temporary_path(target: Path) -> Path:
    """The hidden name beside ``target`` that this process writes it under first."""
    return target.with_name(f".{target.name}.{os.getpid()}{TEMPORARY_SUFFIX}")


def is_temporary(name: str) -> bool:
    """Whether a file or folder name is one of :func:`write_atomically`'s temporary names."""
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def write_atomically(target: Path, write: Callable[[Path], None], *, folder: bool = False) -> Path:
    """Write ``target`` (a file, or with ``folder`` a folder) whole or not at all.

    ``write`` is given the temporary path: it writes the file there, or fills the folder,
    which already exists. Only when it returns is the temporary renamed to ``target``
    (a rename within a folder is atomic); a folder replaces an existing ``target`` folder
    whole. On any error, the temporary is removed and ``target`` is left as it was.

    Args:
        target: The file or folder to write; its parent folders are made if need be.
        write: Writes the file, or the folder's files, at the path it is given.
        folder: Whether ``target`` is a folder.

    Returns:
        ``target``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = temporary_path(target)
    _remove(staging)  # left by a killed process that had this process id
    try:
        if folder:
            staging.mkdir()
            staging.chmod(0o755)
            write(staging)
            if target.exists():
                shutil.rmtree(target)
        else:
            write(staging)
            # On disk before the rename, so a crash cannot leave a whole name on an empty file.
            with staging.open("rb") as written:
                os.fsync(written.fileno())
        os.replace(staging, target)
    except BaseException:
        _remove(staging)
        raise
    return target


def write_text(target: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to the file ``target`` through :func:`write_atomically`."""
    return write_atomically(target, lambda path: path.write_text(text, encoding="utf-8"))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
