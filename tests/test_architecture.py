"""The shape of the package: layers imported one way, no private names across modules, small units.

The layers and the import-cycle rule are import-linter contracts in ``pyproject.toml``
(``[tool.importlinter]``); private member access is ruff's SLF001. Both run here, so that the
test command that CI runs keeps the shape (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "wfabm"
BIN = Path(sys.executable).parent

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 120

# Units still over the limits, each to be split; an entry that is no longer over is an error,
# so the lists can only shrink.
LONG_MODULES: set[str] = set()
LONG_FUNCTIONS: set[str] = set()


# Private members still reached into from another module ("file: name"), and private names
# still imported from another module; both lists can only shrink.
PRIVATE_ACCESS: set[str] = set()
PRIVATE_IMPORTS: set[str] = set()


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _shown(path: Path, root: Path = ROOT) -> str:
    return path.relative_to(root).as_posix()


def _tool(name: str) -> str:
    tool = BIN / name
    if not tool.exists():
        pytest.fail(
            f"{name} is not installed beside {sys.executable}; run 'bash scripts/setup --dev'"
        )
    return str(tool)


def test_the_import_contracts_hold() -> None:
    done = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_module_reaches_into_another_objects_private_members() -> None:
    done = subprocess.run(
        [_tool("ruff"), "check", "--select", "SLF001", "--output-format", "concise", "wfabm"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = set()
    for line in done.stdout.splitlines():
        if "SLF001" in line:
            path, _, rest = line.partition(":")
            found.add(f"{path}: {rest.rsplit('`', 2)[1]}")
    assert found - PRIVATE_ACCESS == set(), done.stdout[-4000:]
    assert PRIVATE_ACCESS - found == set(), "no longer used: take them off PRIVATE_ACCESS"


def _private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``from wfabm.x import _name``: an import of another module's private name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wfabm"):
            found.extend(
                f"{_shown(path, root)}:{node.lineno} {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            )
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    found = {
        f"{hit.split(':', 1)[0]}: {hit.split(' ', 1)[1]}"
        for path in [*_modules(), *ROOT.joinpath("dashboards").glob("*.py")]
        for hit in _private_imports(path)
    }
    assert found - PRIVATE_IMPORTS == set()
    assert PRIVATE_IMPORTS - found == set(), "no longer imported: take them off PRIVATE_IMPORTS"


def _function_lengths(path: Path, root: Path = ROOT) -> dict[str, int]:
    lengths: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                lengths[f"{_shown(path, root)}:{name}"] = child.end_lineno - child.lineno + 1
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return lengths


def test_no_module_is_over_800_lines() -> None:
    lengths = {
        _shown(path): len(path.read_text(encoding="utf-8").splitlines()) for path in _modules()
    }
    over = {name for name, lines in lengths.items() if lines > MAX_MODULE_LINES}
    assert over - LONG_MODULES == set(), {name: lengths[name] for name in over - LONG_MODULES}
    assert LONG_MODULES - over == set(), "no longer over the limit: take them off LONG_MODULES"


def test_no_function_is_over_120_lines() -> None:
    lengths = {
        name: lines for path in _modules() for name, lines in _function_lengths(path).items()
    }
    over = {name for name, lines in lengths.items() if lines > MAX_FUNCTION_LINES}
    assert over - LONG_FUNCTIONS == set(), {name: lengths[name] for name in over - LONG_FUNCTIONS}
    assert LONG_FUNCTIONS - over == set(), "no longer over the limit: take them off LONG_FUNCTIONS"


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    # The scans themselves: a private import and a long function are found.
    module = tmp_path / "probe.py"
    body = "\n".join(f"    x = {i}" for i in range(MAX_FUNCTION_LINES))
    module.write_text(
        f"from wfabm.batch.compare import _hidden, shown\n\ndef long():\n{body}\n",
        encoding="utf-8",
    )
    assert _private_imports(module, tmp_path) == ["probe.py:1 wfabm.batch.compare._hidden"]
    assert _function_lengths(module, tmp_path) == {"probe.py:long": MAX_FUNCTION_LINES + 1}
