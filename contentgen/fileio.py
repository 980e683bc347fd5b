"""Reading data files with errors that point at file, line and field; writing atomically."""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from contentgen.errors import DataError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


def read_text(path: Path) -> str:
    """Read a text file in UTF-8 (with or without BOM), GBK/GB18030 or whatever it really is."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except OSError as err:
        raise DataError(path, f"cannot read: {err.strerror}") from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise DataError(path, "cannot detect the text encoding", hint="save the file as UTF-8")
    encoding = best.encoding
    # GB2312 and GBK are subsets of GB18030; decoding with the superset never loses a character.
    if encoding.replace("_", "").lower() in {"gb2312", "gbk", "gb18030", "hz"}:
        encoding = "gb18030"
    return raw.decode(encoding, errors="strict")


def _line_map(node: yaml.Node, loc: Loc = ()) -> dict[Loc, int]:
    """Map every path in a composed YAML document to its 1-based line."""
    lines: dict[Loc, int] = {loc: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*loc, str(key.value))
            lines[child] = key.start_mark.line + 1
            lines.update({k: v for k, v in _line_map(value, child).items() if k != child})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_map(item, (*loc, i)))
    return lines


def parse_yaml(path: Path, text: str | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML (or JSON, a subset) and return the data with a path→line map."""
    text = read_text(path) if text is None else text
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise DataError(
            path, f"invalid YAML: {err.problem or err.context}", line=line, hint="check indentation and quotes"
        ) from None
    except yaml.YAMLError as err:
        raise DataError(path, f"invalid YAML: {err}") from None
    return data, (_line_map(node) if node is not None else {})


def parse_json(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse JSON with exact syntax errors; line numbers for fields come from the YAML composer."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(path, f"invalid JSON: {err.msg} at column {err.colno}", line=err.lineno) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:  # valid JSON that YAML 1.1 refuses (rare): fields lose their line only
        return data, {}
    return data, (_line_map(node) if node is not None else {})


def load_structured(path: Path) -> tuple[Any, dict[Loc, int]]:
    """Parse a .yaml/.yml/.json file by its suffix."""
    if path.suffix.lower() == ".json":
        return parse_json(path)
    return parse_yaml(path)


def format_loc(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: Mapping[str, Any], model: type[BaseModel] | None) -> tuple[str, str | None]:
    kind = err["type"]
    if kind == "missing":
        return "required field is missing", None
    if kind == "extra_forbidden":
        field = str(err["loc"][-1])
        valid = _fields_at(model, err["loc"][:-1]) if model else []
        close = difflib.get_close_matches(field, valid, n=1)
        hint = f"did you mean '{close[0]}'?" if close else (f"valid fields: {', '.join(valid)}" if valid else None)
        return "unknown field", hint
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if "input" in err and kind not in {"model_type", "dict_type", "list_type"}:
        shown = repr(err["input"])
        if len(shown) <= 60:
            msg += f" (got {shown})"
    return msg, None


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names of the nested model that `loc` points into, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        current = _model_in(annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", None)
    return sorted(fields) if fields else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def data_error(
    path: Path | str,
    err: ValidationError,
    lines: Mapping[Loc, int] | None = None,
    *,
    prefix: Loc = (),
    model: type[BaseModel] | None = None,
    line: int | None = None,
) -> DataError:
    """Turn the first pydantic error into a DataError naming file, line and field."""
    errors = err.errors()
    # A misspelt key also shows up as the missing real one; the typo is the cause worth naming.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc: Loc = tuple(
        p for p in first["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p == "[key]"))
    )
    full = (*prefix, *loc)
    if line is None and lines:
        for cut in range(len(full), -1, -1):
            if full[:cut] in lines:
                line = lines[full[:cut]]
                break
    message, hint = _error_message({**first, "loc": loc}, model)
    more = len(errors) - 1
    if more:
        extra = f"+{more} more error{'s' if more > 1 else ''}"
        hint = f"{hint}; {extra}" if hint else extra
    return DataError(path, message, line=line, field=format_loc(full) or None, hint=hint)


def validate(
    model: type[M],
    data: Any,
    path: Path | str,
    lines: Mapping[Loc, int] | None = None,
    *,
    prefix: Loc = (),
    line: int | None = None,
    context: dict[str, Any] | None = None,
) -> M:
    """Validate `data` against `model`, raising a DataError that points into `path`."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as err:
        raise data_error(path, err, lines, prefix=prefix, model=model, line=line) from None


def load_model(model: type[M], path: Path, *, context: dict[str, Any] | None = None) -> M:
    """Load a YAML/JSON file into a validated model."""
    data, lines = load_structured(path)
    if data is None:
        raise DataError(path, "file is empty")
    return validate(model, data, path, lines, context=context)


def load_folder(model: type[M], folder: Path, what: str) -> dict[str, M]:
    """Every ``*.yaml`` in `folder` (not those starting with '_') as `model`, by id; a file's name must be its id."""
    found: dict[str, M] = {}
    for file in sorted(folder.glob("*.yaml")):
        if file.name.startswith("_"):
            continue
        item = load_model(model, file)
        ident = getattr(item, "id")  # noqa: B009  (every model loaded this way has an id)
        if ident != file.stem:
            raise DataError(
                file,
                f"id '{ident}' does not match the file name",
                field="id",
                hint=f"rename the file to {ident}.yaml or set id: {file.stem}",
            )
        found[ident] = item
    if not found:
        raise DataError(folder, f"no {what} files (*.yaml) found")
    return found


def read_csv(path: Path, skip: int = 0) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) for each data row; header names are stripped; `skip` rows above the header
    (an export's preamble) are ignored."""
    text = read_text(path)
    stream = io.StringIO(text, newline="")
    preamble = csv.reader(stream)
    for _ in range(skip):
        next(preamble, None)
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise DataError(path, "CSV has no header row")
    header = [h.strip() for h in reader.fieldnames]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise DataError(path, f"column '{dup}' appears twice in the header", line=1 + skip)
    reader.fieldnames = header
    try:
        for row in reader:
            # the row's first line: the reader is at its last one, and skips blank lines before a row
            start = reader.line_num + skip - sum(v.count("\n") for v in row.values() if isinstance(v, str))
            if None in row:
                raise DataError(
                    path,
                    f"row has {len(header) + len(row[None])} cells but the header has {len(header)}",
                    line=start,
                    hint="quote cells that contain commas",
                )
            if any((v or "").strip() for v in row.values()):
                yield start, {k: (v or "").strip() for k, v in row.items()}
    except csv.Error as err:
        raise DataError(path, f"invalid CSV: {err}", line=reader.line_num + skip) from None


def read_xlsx(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, row) for each non-empty row of the first sheet, cells as text, as `read_csv` does for CSV."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many unrelated types for broken files
        raise DataError(path, f"cannot open workbook: {err}") from None
    try:
        rows = book.active.iter_rows(values_only=True)
        header = [("" if h is None else str(h)).strip() for h in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise DataError(path, "sheet has no header row")
        for number, row in enumerate(rows, start=2):
            cells = {}
            for column, value in zip(header, row, strict=False):
                text = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value)).strip()
                cells[column] = text
            if any(cells.values()):
                yield number, cells
    finally:
        book.close()


def read_table(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV/TSV (any common encoding) or XLSX file as (line, {column: text})."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix in {".csv", ".tsv", ".txt"}:
        return read_csv(path)
    raise DataError(path, f"unsupported table format '{suffix}'", hint="use .csv or .xlsx")


JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_JSONL_HINT = 'write one JSON object a line, {"column": "value", ...}'


def json_object(path: Path | str, line: int, text: str) -> dict[str, Any]:
    """One line of a JSONL file as an object; a malformed line raises one line naming file and line."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(path, f"invalid JSON: {err.msg} at column {err.colno}", line=line, hint=_JSONL_HINT) from None
    if not isinstance(value, dict):
        raise DataError(path, "each line must be a JSON object", line=line, hint=_JSONL_HINT)
    return value


def json_row(path: Path | str, line: int, text: str) -> dict[str, str]:
    """One JSONL line as a row of strings (null → empty), as a CSV row reads; values are not stripped."""
    return _texts(json_object(path, line, text))


def _texts(row: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in row.items()}


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) for each non-blank line of a JSONL file in any common encoding."""
    for number, text in enumerate(read_text(path).splitlines(), start=1):
        if text.strip():
            yield number, json_object(path, number, text)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV/TSV, XLSX or JSONL file as (line, {column: text}), cells stripped as `read_csv` strips them."""
    if path.suffix.lower() not in JSONL_SUFFIXES:
        yield from read_table(path)
        return
    for number, row in read_jsonl(path):
        yield number, {k: v.strip() for k, v in _texts(row).items()}


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside `target`; it replaces `target` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with tmp_path.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp_path.replace(target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> None:
    """Write text so that readers see either the old file or the whole new one."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
