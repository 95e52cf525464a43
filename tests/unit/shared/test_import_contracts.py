"""The import contracts (`[tool.importlinter]`, run by `make lint`) leave no module of a
service outside its layers, keep the kernel below the services, and keep every I/O
library in the adapters."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("registration", "agenda", "actionplan", "notifications", "identity")
CONTRACTS: dict[str, dict[str, Any]] = {
    c["id"]: c
    for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
}


def python_modules(package: Path) -> set[str]:
    """The modules and packages directly inside `package`."""
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    return modules


@pytest.mark.parametrize("service", SERVICES)
def test_every_module_of_a_service_has_its_layer(service: str) -> None:
    layered = {
        name.strip().strip("()")
        for layer in CONTRACTS["layers"]["layers"]
        for name in re.split(r"[|:]", layer)
    }
    package = ROOT / "services" / service / "src" / "pesnet" / service
    assert python_modules(package) - layered == set()


def test_the_kernel_imports_no_service() -> None:
    contract = CONTRACTS["kernel-below-services"]
    assert contract["source_modules"] == ["pesnet.shared"]
    assert set(contract["forbidden_modules"]) == {f"pesnet.{s}" for s in SERVICES}


def test_only_adapters_and_bootstrap_name_an_io_library() -> None:
    contract = CONTRACTS["io-in-adapters"]
    assert set(contract["forbidden_modules"]) >= {
        "pymongo",
        "bson",
        "aio_pika",
        "aiormq",
        "faststream",
        "httpx",
        "smtplib",
        "aiosmtplib",
    }
    below_adapters = {"domain", "service_layer", "entrypoints", "settings", "templates", "seed"}
    covered = {m.rsplit(".", 1)[-1] for m in contract["source_modules"]}
    assert below_adapters <= covered
