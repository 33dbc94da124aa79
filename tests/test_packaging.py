"""The package as pip installs it, not as the source tree has it: every data file the code opens
(sandbox.lua, json.lua, the Lua grammar...) must be named by pyproject.toml's package-data, or a
regular install fails at start-up while an editable one works."""

from __future__ import annotations

import fnmatch
import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_package_data_names_every_data_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    missing = []
    found = 0
    for directory, _, files in os.walk(ROOT / "petrel"):
        package = ".".join(Path(directory).relative_to(ROOT).parts)
        for name in files:
            if name.endswith((".py", ".pyc")) or "__pycache__" in directory:
                continue
            found += 1
            patterns = package_data.get(package, []) + package_data.get("*", [])
            if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                missing.append(f"{package}: {name}")
    assert found >= 4   # sandbox.lua, patterns.lua, json.lua, lua.lark at least
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
