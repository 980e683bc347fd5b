"""Importers for shop exports (Shopify, WooCommerce, Taobao/Tmall), recognised from their header row.

Each importer turns the export's rows into product records with our field names; `load_catalog` then
validates them with the same `Product` model, so every error names the export's file and line.
"""

from __future__ import annotations

from contentgen.domain.importers.detect import detect, header_row, import_rows
from contentgen.domain.importers.mapping import ColumnMapping, load_mapping
from contentgen.domain.importers.rows import Row

__all__ = ["ColumnMapping", "Row", "detect", "header_row", "import_rows", "load_mapping"]
