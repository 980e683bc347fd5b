"""Server settings: flags, environment (CONTENTGEN_SERVE_*), then defaults. Data lives under the data home."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contentgen.config import Settings


class ServerConfig(BaseSettings):
    """What `contentgen serve` is configured with. `CONTENTGEN_SERVE_CORS_ORIGINS='["https://shop.example"]'`."""

    model_config = SettingsConfigDict(env_prefix="CONTENTGEN_SERVE_", extra="forbid")

    data_dir: Path | None = Field(default=None, description="sessions, jobs, keys and files; default <home>/server")
    agents_dir: Path | None = Field(
        default=None, description="a folder of agent definitions (<name>.yaml) served beside the shipped ones"
    )
    preload: list[str] = Field(
        default=[], description="agents each worker loads at start-up (catalog, policies, checks), before traffic"
    )
    chroma_url: str | None = Field(default=None, description="a Chroma server shared by every worker")
    catalog_fresh_s: float = Field(
        default=2.0, ge=0, description="seconds a worker trusts its view of a catalog before asking Chroma again"
    )
    cors_origins: list[str] = Field(default=[], description="origins allowed by CORS; empty: CORS off")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="largest request body accepted")
    max_upload_bytes: int = Field(default=32 * 1024 * 1024, ge=1024, description="largest catalog upload accepted")
    max_video_side: int = Field(default=1080, ge=180, le=2160, description="largest short side of a video")
    video_renders: int = Field(default=1, ge=1, description="videos rendered at once per worker (the rest wait)")
    max_message_chars: int = Field(default=2000, ge=1, description="longest chat message accepted")
    rate_per_s: float = Field(default=5.0, gt=0, description="requests a key may make per second, sustained")
    rate_burst: int = Field(default=30, ge=1, description="requests a key may make at once")
    ping_s: float = Field(default=15.0, gt=0, description="seconds between keep-alive pings on a stream")
    grace_s: float = Field(default=10.0, ge=0, description="seconds a stream may take to finish at shutdown")
    campaign_workers: int = Field(default=1, ge=1, description="worker processes per campaign job")
    job_poll_s: float = Field(default=1.0, gt=0, description="how often a worker looks for jobs to run")
    job_lease_s: float = Field(default=15.0, gt=0, description="a running job whose heartbeat is older is resumed")
    answer_threads: int = Field(default=4, ge=1, description="answers computed at once per worker (the rest queue)")
    session_cache: int = Field(default=512, ge=1, description="conversations kept in memory per worker")
    run_jobs: bool = Field(default=True, description="run background jobs in this process")

    def folder(self, settings: Settings) -> Path:
        return (self.data_dir or settings.home / "server").resolve()


def load_server_config() -> ServerConfig:
    """The server's settings from the environment; a bad value is a one-line ConfigError naming its variable."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from contentgen.errors import ConfigError

    try:
        return ServerConfig()
    except SettingsError as err:  # a list or other JSON value that does not parse
        import re

        named = re.search(r'field "(\w+)"', str(err))
        variable = "CONTENTGEN_SERVE_" + (named.group(1).upper() if named else "*")
        raise ConfigError(f'{variable}: not valid JSON; a list is written \'["a", "b"]\'') from None
    except ValidationError as err:
        errors = err.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        field = str(first["loc"][0]) if first["loc"] else ""
        variable = "CONTENTGEN_SERVE_" + field.upper()
        spec = ServerConfig.model_fields.get(field)
        what = f" ({spec.description})" if spec is not None and spec.description else ""
        raise ConfigError(f"{variable}: {first['msg']}{what}; fix or unset it") from None
