"""Prompt and copy templates: Jinja2 files under prompts/, a user folder shadowing the shipped one."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import Field

from contentgen.domain.common import Locale, Model
from contentgen.errors import DataError, NotFoundError
from contentgen.fileio import load_model
from contentgen.resources import inside, shipped


def search_path(extra: Sequence[Path] = ()) -> list[Path]:
    return [*extra, shipped("prompts")]


def find(relative: str, extra: Sequence[Path] = ()) -> Path:
    """The first `relative` file on the search path; '..' and absolute paths are refused."""
    for folder in search_path(extra):
        path = inside(folder, relative)
        if path is None:
            raise DataError(relative, "template path leaves the prompts folder")
        if path.is_file():
            return path
    raise DataError(relative, "template not found", hint=f"looked in {', '.join(str(p) for p in search_path(extra))}")


class Angle(Model):
    """One way into the copy (pain point, scene, gift, new arrival …): a template per channel field."""

    id: str
    fields: dict[str, str] = Field(min_length=1)
    hashtags: list[str] = []


class CopyTemplates(Model):
    """prompts/copy/<locale>/<channel>.yaml."""

    version: int = Field(ge=1)
    angles: list[Angle] = Field(min_length=1)


# `{% import "x.j2" as name with context %}` would run the shared module again on every render; the engine
# lifts these statements out and builds each module once per variant (see `shared`), same result.
_IMPORT_WITH_CONTEXT = re.compile(r'\{%-?\s*import\s+"([^"]+)"\s+as\s+(\w+)\s+with\s+context\s*-?%\}\n?')


class LoadedTemplates:
    """Validated, compiled copy templates for one channel and locale."""

    def __init__(self, spec: CopyTemplates, path: Path, env: jinja2.Environment) -> None:
        self.spec, self.path, self.env = spec, path, env
        self.version = f"{path.parent.name}/{path.stem}@v{spec.version}"
        self.compiled: dict[str, dict[str, jinja2.Template]] = {}
        self.shared: dict[str, str] = {}  # alias → template name, for modules imported with context
        for i, angle in enumerate(spec.angles):
            self.compiled[angle.id] = {}
            for name, source in angle.fields.items():
                for template_name, alias in _IMPORT_WITH_CONTEXT.findall(source):
                    if self.shared.setdefault(alias, template_name) != template_name:
                        raise DataError(
                            path, f"'{alias}' names two different imports", field=f"angles[{i}].fields.{name}"
                        )
                source = _IMPORT_WITH_CONTEXT.sub("", source)
                try:
                    self.compiled[angle.id][name] = env.from_string(source)
                except jinja2.TemplateSyntaxError as err:
                    raise DataError(
                        path,
                        f"template error: {err.message}",
                        field=f"angles[{i}].fields.{name}",
                        hint=f"line {err.lineno} of the template",
                    ) from None

        if self.shared:  # shared macros change the copy too: their text is part of the version
            digest = hashlib.sha256()
            for template_name in sorted(set(self.shared.values())):
                try:
                    source_text, _, _ = env.loader.get_source(env, template_name) if env.loader else ("", None, None)
                except jinja2.TemplateNotFound:
                    raise DataError(path, f"imports '{template_name}', which is not in the prompts folders") from None
                digest.update(source_text.encode())
            self.version += f"+{digest.hexdigest()[:8]}"

    def modules(self, context: dict[str, Any]) -> dict[str, Any]:
        """The shared modules the field templates import, built once for this context."""
        built: dict[str, Any] = {}
        for alias, template_name in self.shared.items():
            try:
                built[alias] = self.env.get_template(template_name).make_module({**context, **built})
            except jinja2.TemplateError as err:
                raise DataError(template_name, f"template error: {err}") from None
        return built


def environment(extra: Sequence[Path] = ()) -> jinja2.Environment:
    """A Jinja environment over the prompts search path: strict undefined, no autoescape (plain text).

    One per search path, so templates that `{% import %}` shared macros compile them once.
    """
    return _environment(tuple(extra))


@lru_cache(maxsize=16)
def _environment(extra: tuple[Path, ...]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path(extra)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=64)
def _copy_templates(path: Path, mtime: float, extra: tuple[Path, ...]) -> LoadedTemplates:
    return LoadedTemplates(load_model(CopyTemplates, path), path, environment(extra))


def copy_templates(channel: str, locale: Locale, extra: Sequence[Path] = ()) -> LoadedTemplates:
    """The copy templates of a channel in a locale."""
    relative = f"copy/{locale}/{channel}.yaml"
    try:
        path = find(relative, extra)
    except DataError:
        have = sorted(p.stem for folder in search_path(extra) for p in (folder / "copy" / locale).glob("*.yaml"))
        raise NotFoundError(f"copy template for {locale}", channel, have) from None
    return _copy_templates(path, path.stat().st_mtime, tuple(extra))


@lru_cache(maxsize=64)
def _prompt_template(path: Path, mtime: float, extra: tuple[Path, ...]) -> tuple[jinja2.Template, str]:
    """A prompt file compiled once (per modification time): compiling costs far more than rendering."""
    source = path.read_text(encoding="utf-8")
    try:
        template = environment(extra).from_string(source)
    except jinja2.TemplateError as err:
        raise DataError(path, f"template error: {err}") from None
    return template, hashlib.sha256(source.encode()).hexdigest()[:10]


def render_prompt(name: str, extra: Sequence[Path] = (), **context: Any) -> tuple[str, str]:
    """Render a prompt template; returns (text, version) where version hashes the template source."""
    path = find(name, extra)
    template, digest = _prompt_template(path, path.stat().st_mtime, tuple(extra))
    try:
        text = template.render(**context)
    except jinja2.TemplateError as err:
        raise DataError(path, f"template error: {err}") from None
    return text.strip(), f"{name}@{digest}"


# ---- few-shot examples for the model path ---------------------------------------------------------


class ExampleReply(Model):
    """The reply a model should give: the channel's fields as JSON, hashtags without '#'."""

    fields: dict[str, str] = Field(min_length=1)
    hashtags: list[str] = []


class CopyExample(Model):
    """One few-shot turn: a short brief for a made-up product and the copy we want for it."""

    brief: str = Field(min_length=1)
    reply: ExampleReply


class CopyExamples(Model):
    """prompts/copy/examples/<locale>/<channel>.yaml."""

    version: int = Field(ge=1)
    examples: list[CopyExample] = Field(min_length=1, max_length=4)


class LoadedExamples:
    """Validated few-shot examples of one channel and locale; `version` hashes the file."""

    def __init__(self, spec: CopyExamples, path: Path, digest: str, channel: Any) -> None:
        self.spec, self.path, self.channel = spec, path, channel
        self.version = f"examples/{path.parent.name}/{path.stem}@v{spec.version}+{digest}"

    def turns(self, budgets: dict[str, int]) -> list[tuple[str, str]]:
        """(user, assistant) pairs, the assistant's as the JSON the model is asked for; an example with a field
        longer than this cell's room (`budgets`, after signature and opt-out) is left out so none teaches overflow."""
        import json

        from contentgen.domain.channel import text_length

        pairs = []
        for example in self.spec.examples:
            fields = example.reply.fields
            if any(text_length(t, self.channel.fields[n].count) > budgets.get(n, 0) for n, t in fields.items()):
                continue
            reply = {"fields": fields, "hashtags": example.reply.hashtags}
            pairs.append((example.brief, json.dumps(reply, ensure_ascii=False)))
        return pairs


def _check_examples(spec: CopyExamples, path: Path, channel: Any, locale: Locale, lines: dict[Any, int]) -> None:
    """Each example must be copy the model may imitate: the channel's fields within its limits, in the locale, no
    loop, and nothing the advertising-law rules block (examples use made-up products, so grounding is not run)."""
    from contentgen.compliance.adlaw import check_fields
    from contentgen.compliance.degenerate import degenerate_findings
    from contentgen.domain.channel import text_length

    for i, example in enumerate(spec.examples):
        fields = example.reply.fields
        where = ("examples", i, "reply", "fields")
        for name, text in fields.items():
            loc = f"examples[{i}].reply.fields.{name}"
            line = lines.get((*where, name))
            spec_field = channel.fields.get(name)
            if spec_field is None:
                raise DataError(
                    path,
                    f"'{name}' is not a field of channel '{channel.id}'",
                    line=line,
                    field=loc,
                    hint=f"use {', '.join(channel.fields)}",
                )
            length = text_length(text, spec_field.count)
            if length > spec_field.max:
                raise DataError(
                    path,
                    f"{length} {spec_field.count}, the channel allows {spec_field.max}",
                    line=line,
                    field=loc,
                    hint="shorten the example",
                )
        missing = [n for n, s in channel.fields.items() if s.required and n not in fields]
        if missing:
            raise DataError(
                path,
                f"required field '{missing[0]}' is missing",
                line=lines.get(where),
                field=f"examples[{i}].reply.fields",
                hint=f"channel '{channel.id}' needs {', '.join(missing)}",
            )
        if len(example.reply.hashtags) > channel.hashtags.max:
            raise DataError(
                path,
                f"{len(example.reply.hashtags)} hashtags, the channel allows {channel.hashtags.max}",
                line=lines.get(("examples", i, "reply", "hashtags")),
                field=f"examples[{i}].reply.hashtags",
            )
        blocked = [f for f in check_fields(fields, locale=locale, channel=channel.id) if f.blocking]
        for finding in [*blocked, *degenerate_findings(fields, locale)]:
            raise DataError(
                path,
                finding.message,
                line=lines.get((*where, finding.field or "")),
                field=f"examples[{i}].reply.fields.{finding.field}",
            )


@lru_cache(maxsize=64)
def _copy_examples(path: Path, mtime: float, channel_json: str, locale: Locale) -> LoadedExamples:
    from contentgen.domain.channel import Channel
    from contentgen.fileio import load_structured, validate

    data, lines = load_structured(path)
    if data is None:
        raise DataError(path, "file is empty")
    spec = validate(CopyExamples, data, path, lines)
    channel = Channel.model_validate_json(channel_json)
    _check_examples(spec, path, channel, locale, dict(lines))
    return LoadedExamples(spec, path, hashlib.sha256(path.read_bytes()).hexdigest()[:8], channel)


def copy_examples(channel: Any, locale: Locale, extra: Sequence[Path] = ()) -> LoadedExamples | None:
    """The few-shot examples of a channel (a `Channel`) in a locale, validated against it; None when there are none."""
    try:
        path = find(f"copy/examples/{locale}/{channel.id}.yaml", extra)
    except DataError:
        return None
    return _copy_examples(path, path.stat().st_mtime, channel.model_dump_json(), locale)
