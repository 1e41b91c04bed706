"""The import contract of pyproject.toml ([tool.importlinter]): memfeed on top, then api and workers
(never each other), then core, then pipeline. Checked with import-linter's `lint-imports`."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    # --no-cache: a cache left by an earlier run must never hide a new import.
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(LINT_IMPORTS.parent), "PYTHONPATH": str(cwd)})


def test_every_package_keeps_to_its_layer() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


def test_the_contract_refuses_an_import_across_layers(tmp_path: Path) -> None:
    """The same contract over stand-in packages in which api imports workers and core imports api."""
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for package in contract["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "api" / "routes.py").write_text("import workers\n")
    (tmp_path / "core" / "settings.py").write_text("from api import routes\n")
    (tmp_path / "pyproject.toml").write_text(_toml_of(contract))
    result = _lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "api.routes -> workers" in result.stdout, result.stdout
    assert "core.settings -> api.routes" in result.stdout, result.stdout


def _toml_of(contract: dict[str, Any]) -> str:
    # A JSON string or list of strings is a TOML one too.
    lines = ["[tool.importlinter]", f"root_packages = {json.dumps(contract['root_packages'])}"]
    for each in contract["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in each.items()]
    return "\n".join(lines) + "\n"
