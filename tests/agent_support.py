"""Shared by the agent tests: both shipped kits ingested once per session into a home of their own.

Test modules load it with `pytest_plugins = ["agent_support"]`, so the session fixtures below exist once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contentgen.catalog.store import CatalogStore, open_catalog
from contentgen.config import Settings, load_settings

KITS = ("qinghe", "morrow")


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
