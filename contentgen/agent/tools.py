"""Tools the agent calls. The order-status tool looks an order up and answers only from what it finds; an order it
cannot find, or a deployment without order data, goes to a person: the agent never invents a status."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from contentgen.agent.definition import ToolSpec
from contentgen.domain.common import Model
from contentgen.errors import ConfigError, DataError
from contentgen.fileio import load_model
from contentgen.resources import inside

OrderStatus = Literal["processing", "shipped", "delivered", "cancelled"]


class Order(Model):
    id: str = Field(min_length=1)
    status: OrderStatus
    placed: dt.date
    shipped: dt.date | None = None
    delivered: dt.date | None = None
    carrier: str | None = None
    tracking: str | None = None
    items: list[str] = []

    def record(self) -> str:
        """The order as one text: what an answer about it may state."""
        return " ".join(str(v) for v in self.model_dump(mode="json").values() if v)


class OrdersFile(Model):
    orders: list[Order]


class OrderLookup(ABC):
    """The order-status tool: one method, an order by its number or None."""

    name = "order_status"

    def __init__(self, pattern: str = r"[A-Z]{2}-?\d{6,}") -> None:
        self.pattern = re.compile(pattern)

    def order_id(self, text: str) -> str | None:
        """The order number in a message, if there is one."""
        match = self.pattern.search(text.upper())
        return match.group(0) if match else None

    @abstractmethod
    def lookup(self, order_id: str) -> Order | None:
        """The order, or None when there is no such order (or no data to look in)."""


class FileOrders(OrderLookup):
    """Orders from a local YAML or JSON file (the shipped demo files live in agents/orders/)."""

    def __init__(self, path: Path, pattern: str = r"[A-Z]{2}-?\d{6,}") -> None:
        super().__init__(pattern)
        self.path = path
        self._orders = {o.id.upper(): o for o in load_model(OrdersFile, path).orders}

    def lookup(self, order_id: str) -> Order | None:
        return self._orders.get(order_id.upper())


class NoOrders(OrderLookup):
    """No order data: every lookup goes to a person."""

    def lookup(self, order_id: str) -> Order | None:
        return None


def build_tool(spec: ToolSpec, folder: Path | None) -> OrderLookup:
    """The tool a definition names; file paths resolve inside the definition's folder."""
    if spec.kind == "human":
        return NoOrders(spec.order_pattern)
    if spec.kind == "python":
        if not spec.target:
            raise ConfigError(f"tool '{spec.name}': kind 'python' needs target: 'module:Class'")
        module_name, _, attr = spec.target.partition(":")
        try:
            cls: Any = getattr(import_module(module_name), attr)
        except (ImportError, AttributeError) as err:
            raise ConfigError(f"tool '{spec.name}': cannot load '{spec.target}': {err}") from None
        tool = cls(**spec.options)
        if not isinstance(tool, OrderLookup):
            raise ConfigError(f"tool '{spec.name}': '{spec.target}' is not an OrderLookup")
        return tool
    if not spec.orders:
        raise ConfigError(f"tool '{spec.name}': kind 'orders-file' needs orders: <file>")
    root = folder or Path.cwd()
    path = inside(root, spec.orders)
    if path is None:
        raise DataError(spec.orders, "orders file must be inside the agent definition's folder")
    return FileOrders(path, spec.order_pattern)


def build_tools(specs: list[ToolSpec], folder: Path | None) -> Mapping[str, OrderLookup]:
    return {spec.name: build_tool(spec, folder) for spec in specs}
