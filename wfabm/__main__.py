"""Allow ``python -m wfabm``, the same as the ``wfabm`` command."""

from __future__ import annotations

from wfabm.cli.commands import main

if __name__ == "__main__":
    raise SystemExit(main())
