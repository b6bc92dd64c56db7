"""The wheel installs everything under one namespace, device_checkup (issue 10 item 5, issue 17
item 4): every package folder is listed in pyproject.toml, mapped from the top of the
repository, and no module imports the old top-level names."""
from __future__ import annotations

import ast
import os
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPS = ("app", "checks", "signatures")


def _config():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        return tomllib.load(fh)


def test_every_package_folder_is_installed_under_device_checkup():
    """Every folder with code or data is listed (data folders are namespace packages to Python;
    unlisted, setuptools prints a warning on every install)."""
    found = set()
    for top in TOPS:
        for folder, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            if files:
                found.add("device_checkup." + os.path.relpath(folder, ROOT).replace(os.sep, "."))
    setuptools = _config()["tool"]["setuptools"]
    assert set(setuptools["packages"]) == found
    assert setuptools["package-dir"] == {f"device_checkup.{t}": t for t in TOPS}
    scripts = _config()["project"]["scripts"]
    assert scripts["checkup"].startswith("device_checkup.")


def test_no_module_imports_the_old_top_level_names():
    old = []
    for top in TOPS + ("tests", "bench", "tools", "packaging"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as fh:
                    tree = ast.parse(fh.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                            and node.module.split(".")[0] in TOPS:
                        old.append(f"{path}:{node.lineno}")
                    elif isinstance(node, ast.Import):
                        old += [f"{path}:{node.lineno}" for a in node.names if a.name.split(".")[0] in TOPS]
    assert old == []
