"""Shared by the agent tests: both shipped kits ingested once per session into a home of their own.

Test modules load it with `pytest_plugins = ["agent_support"]`, so the session fixtures below exist once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.agent import Agent, load_agent
from contentgen.catalog.store import CatalogStore, open_catalog
from contentgen.config import Settings, load_settings
from contentgen.domain import load_brand_kit
from contentgen.domain.loaders import load_kit_catalog
from contentgen.domain.product import Catalog

KITS = ("qinghe", "morrow")
REPO = Path(__file__).resolve().parent.parent


def policy_text(kit: str, name: str) -> str:
    """A shipped kit's policy file as written (brand_kits/<kit>/policies/<name>.md)."""
    return (REPO / "brand_kits" / kit / "policies" / f"{name}.md").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def agent_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agent-home")


@pytest.fixture(scope="session")
def agent_settings(agent_home: Path) -> Settings:
    return load_settings(home=agent_home)


@pytest.fixture(scope="session")
def stores(agent_settings: Settings) -> dict[str, CatalogStore]:
    """The real catalog store of each shipped kit (static embedder, embedded Chroma), ingested once."""
    opened = {}
    for kit in KITS:
        store = open_catalog(kit, settings=agent_settings)
        store.ingest()
        opened[kit] = store
    return opened


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {kit: load_kit_catalog(load_brand_kit(kit)) for kit in ("qinghe", "morrow")}


@pytest.fixture
def qinghe(stores: dict[str, CatalogStore], agent_settings: Settings) -> Agent:
    return load_agent("qinghe-service", settings=agent_settings, retriever=stores["qinghe"])


@pytest.fixture
def morrow(stores: dict[str, CatalogStore], agent_settings: Settings) -> Agent:
    return load_agent("morrow-service", settings=agent_settings, retriever=stores["morrow"])
