"""Ingestion into Chroma: upsert by SKU, file formats and encodings, embedder changes, a real Chroma server."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, Cli

from contentgen.catalog.store import CatalogStore, open_catalog
from contentgen.config import Settings, load_settings
from contentgen.domain.loaders import load_policies
from contentgen.errors import ConfigError, DataError, NotFoundError
from contentgen.providers.embed.static import StaticEmbedder

SOURCE = REPO / "brand_kits" / "qinghe" / "catalog.csv"
ZH_HEADER = {
    "sku": "货号",
    "name": "商品名称",
    "category": "类目",
    "price": "售价",
    "list_price": "划线价",
    "currency": "币种",
    "stock": "库存",
    "description": "描述",
    "attributes": "属性",
    "selling_points": "卖点",
    "specs": "规格",
    "ingredients": "成分",
    "faqs": "常见问题",
    "tags": "标签",
}


def rows(n: int = 8) -> list[dict[str, str]]:
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))[:n]


def write_csv(
    path: Path, records: list[dict[str, str]], *, encoding: str = "utf-8", header: dict[str, str] | None = None
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header[k] if header else k for k in records[0]])
    writer.writerows([list(r.values()) for r in records])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return StaticEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(home=tmp_path / "home")


@pytest.fixture
def store(settings: Settings, embedder: StaticEmbedder) -> CatalogStore:
    return open_catalog("qinghe", settings=settings, embedder=embedder)


def test_upsert_by_sku(store: CatalogStore, tmp_path: Path) -> None:
    original = rows()
    first = store.ingest(write_csv(tmp_path / "v1.csv", original))
    assert first.products.added == [r["sku"] for r in original] and first.products.embedded == len(original)
    assert len(first.policies.added) > 0 and not first.policies.updated

    again = store.ingest(tmp_path / "v1.csv")
    assert again.products.unchanged == len(original) and not again.products.changed
    assert again.products.embedded == 0 and again.policies.embedded == 0
    revision = store.info()["revision"]

    changed = [dict(r) for r in original]
    changed[0]["price"] = "59"  # price: a metadata update, no new vector
    changed[1]["stock"] = "0"
    changed[2]["description"] = "全新升级配方，温和不刺激。"  # new text: re-embedded
    gone = changed.pop(3)["sku"]
    changed.append(dict(original[4], sku="QH-NEW-001", name="玫瑰纯露保湿喷雾", tags="玫瑰 | 喷雾"))
    report = store.ingest(write_csv(tmp_path / "v2.csv", changed))
    assert sorted(report.products.updated) == sorted(r["sku"] for r in original[:3])
    assert report.products.removed == [gone] and report.products.added == ["QH-NEW-001"]
    assert report.products.unchanged == len(original) - 4
    assert report.products.embedded == 2  # the re-worded product and the new one
    assert not report.policies.changed

    assert str(store.get(original[0]["sku"]).price) == "59" and store.get(original[1]["sku"]).stock == 0
    assert store.get(original[2]["sku"]).description == "全新升级配方，温和不刺激。"
    with pytest.raises(NotFoundError):
        store.get(gone)
    assert store.search("玫瑰喷雾", k=1).hits[0].sku == "QH-NEW-001"
    assert store.info()["revision"] != revision


def test_another_store_sees_a_new_ingest(settings: Settings, embedder: StaticEmbedder, tmp_path: Path) -> None:
    """A second store (as another process would) notices the revision change and rebuilds its keyword index."""
    writer = open_catalog("qinghe", settings=settings, embedder=embedder)
    writer.ingest(write_csv(tmp_path / "v1.csv", rows()))
    reader = open_catalog("qinghe", settings=settings, embedder=embedder)
    assert not reader.search("玫瑰喷雾").hits or reader.search("玫瑰喷雾").hits[0].keyword_rank is None
    assert list((settings.home / "keyword").glob("contentgen.qinghe.products-*.npz"))
    writer.ingest(write_csv(tmp_path / "v2.csv", [*rows(), dict(rows()[0], sku="QH-NEW-002", name="玫瑰喷雾")]))
    assert reader.search("玫瑰喷雾", k=1).hits[0].sku == "QH-NEW-002"


def test_gbk_file_with_chinese_headers(cli: Cli, tmp_path: Path) -> None:
    records = [{k: v.replace("–", "-") for k, v in r.items()} for r in rows(5)]
    path = write_csv(tmp_path / "商品.csv", records, encoding="gbk", header=ZH_HEADER)
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    result = cli("catalog", "ingest", str(path), "--kit", "qinghe", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["products"]["added"] == [r["sku"] for r in records]
    found = cli("catalog", "search", records[0]["name"], "--kit", "qinghe", "-k", "1", "--json")
    assert json.loads(found.stdout)["hits"][0]["name"] == records[0]["name"]


def test_jsonl_file(store: CatalogStore, tmp_path: Path) -> None:
    from contentgen.domain.loaders import load_kit_catalog

    products = load_kit_catalog(store.kit).products[:4]
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(p.model_dump_json() for p in products), encoding="utf-8")
    report = store.ingest(path)
    assert report.products.added == [p.sku for p in products]
    assert store.get(products[3].sku) == products[3]


def test_invalid_row_is_named(cli: Cli, tmp_path: Path) -> None:
    records = rows(4)
    records[2]["price"] = "便宜"
    path = write_csv(tmp_path / "bad.csv", records)
    result = cli("catalog", "ingest", str(path), "--kit", "qinghe")
    assert result.exit_code == 1
    assert f"{path}:4: price" in result.stderr  # header is line 1, so the third product is line 4


def test_cli_ingest_kit_catalog(cli: Cli) -> None:
    result = cli("catalog", "ingest", "--kit", "morrow", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["products"]["added"]) == 73 and report["source"].endswith("catalog.csv")
    again = cli("catalog", "ingest", "--kit", "morrow")
    assert again.exit_code == 0 and "unchanged" in again.stdout


def test_reopening_with_another_embedder_fails_loudly(
    settings: Settings, embedder: StaticEmbedder, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "v1.csv", rows(3))
    open_catalog("qinghe", settings=settings, embedder=embedder).ingest(path)
    other = open_catalog("qinghe", settings=settings, embedder=StaticEmbedder({"dim": 128}))
    for attempt in (lambda: other.search("洁面"), lambda: other.ingest(path)):
        with pytest.raises(ConfigError) as err:
            attempt()
        message = str(err.value)
        assert "\n" not in message and "--rebuild" in message
        assert embedder.model in message and "wordllama-l2_supercat-128" in message
    rebuilt = other.ingest(path, rebuild=True)
    assert len(rebuilt.products.added) == 3 and other.search("洁面").hits
    with pytest.raises(ConfigError, match="--rebuild"):
        open_catalog("qinghe", settings=settings, embedder=embedder).search("洁面")


def test_policies_can_be_given(store: CatalogStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "v1.csv", rows(2))
    shipped = load_policies(store.kit)
    store.ingest(path)
    report = store.ingest(path, policies={"returns": shipped["returns"]})
    assert report.policies.removed and not report.policies.added
    assert store.policies() == {"returns": shipped["returns"]}


def test_data_error_for_a_missing_file(store: CatalogStore, tmp_path: Path) -> None:
    with pytest.raises(DataError):
        store.ingest(tmp_path / "missing.csv")


# ---- a real Chroma server --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on a free loopback port, stopped at teardown."""
    import httpx

    executable = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.skip("the chroma console script is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("wb")
    process = subprocess.Popen(
        [executable, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start: {(data / 'server.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.slow
def test_chroma_server(
    chroma_server: str, settings: Settings, embedder: StaticEmbedder, tmp_path: Path, cli: Cli
) -> None:
    path = write_csv(tmp_path / "v1.csv", rows())
    store = open_catalog("qinghe", chroma_url=chroma_server, settings=settings, embedder=embedder)
    report = store.ingest(path)
    assert len(report.products.added) == len(rows()) and report.location == chroma_server
    assert store.ingest(path).products.unchanged == len(rows())
    other = open_catalog("qinghe", chroma_url=chroma_server, settings=settings, embedder=embedder)
    hits = other.search("敏感肌洁面", k=3).hits
    assert any(h.product.category == "洁面" and "敏感肌" in h.product.attributes["适用肤质"] for h in hits)
    assert other.info()["location"] == chroma_server
    found = cli("catalog", "search", "洁面", "--kit", "qinghe", "--chroma-url", chroma_server, "--json")
    assert found.exit_code == 0 and json.loads(found.stdout)["hits"]


def test_unreachable_server(settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigError, match="cannot reach the Chroma server") as err:
        open_catalog("qinghe", chroma_url=f"http://127.0.0.1:{port}", settings=settings)
    assert "\n" not in str(err.value)
    with pytest.raises(ConfigError, match="not an http"):
        open_catalog("qinghe", chroma_url="localhost:8000", settings=settings)
