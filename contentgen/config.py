"""Settings from flags, environment (CONTENTGEN_*), a TOML file, then defaults; offline by default."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from contentgen.errors import ConfigError


class ProviderChoice(BaseModel):
    """Which registered provider to use for one kind, and its options."""

    model_config = ConfigDict(extra="forbid")

    name: str
    options: dict[str, Any] = {}


def _default_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "contentgen"


class Settings(BaseSettings):
    """Everything configurable. `CONTENTGEN_TEXT__NAME=openai` sets `text.name`, and so on."""

    model_config = SettingsConfigDict(env_prefix="CONTENTGEN_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(default_factory=_default_home, description="data directory (Chroma, caches)")
    output_dir: Path = Path("outputs")
    kits_path: list[Path] = Field(default=[], description="extra brand-kit folders, searched before the shipped ones")
    prompts_path: list[Path] = Field(default=[], description="prompt folders that override shipped templates")
    text: ProviderChoice = ProviderChoice(name="template")
    image: ProviderChoice = ProviderChoice(name="procedural")
    embed: ProviderChoice = ProviderChoice(name="static")
    speech: ProviderChoice = ProviderChoice(name="espeak")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls)


class _TomlSource(PydanticBaseSettingsSource):
    """Reads CONTENTGEN_CONFIG, else ./contentgen.toml, else $CONTENTGEN_HOME/config.toml."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = config_file()
        if path is None:
            return {}
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: invalid TOML: {err}") from None


def config_file() -> Path | None:
    explicit = os.environ.get("CONTENTGEN_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"CONTENTGEN_CONFIG points to {path}, which is not a file")
        return path
    for candidate in (
        Path("contentgen.toml"),
        Path(os.environ.get("CONTENTGEN_HOME", _default_home())) / "config.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def load_settings(**overrides: Any) -> Settings:
    """Build Settings; flags passed as overrides win over environment and file."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as err:
        errors = err.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        field = ".".join(str(p) for p in first["loc"])
        source = config_file()
        where = f"{source}: " if source else ""
        variable = "CONTENTGEN_" + field.upper().replace(".", "__")
        hint = f"set it in contentgen.toml or {variable}"
        raise ConfigError(f"{where}setting '{field}': {first['msg']} ({hint})") from None
