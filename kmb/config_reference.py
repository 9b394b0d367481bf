"""The configuration reference of docs/deploy.md, generated from the settings class
(``kmb config-reference``); a test keeps the document in step with the code."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from kmb.settings import Settings

BEGIN, END = "<!-- config-reference -->", "<!-- /config-reference -->"


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return ""
    value: Any = field.default
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, SecretStr):
        return "(a development value)"
    if isinstance(value, list | dict):
        return f"`{json.dumps(value)}`"
    return f"`{value}`"


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        variable = f"{prefix}{name.upper()}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows += _rows(annotation, f"{variable}__")
            continue
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{variable}` | {_default(field)} | {description} |")
    return rows


def reference() -> str:
    """A Markdown table of every ``KMB_*`` variable, its default and its meaning."""
    lines = ["| variable | default | meaning |", "|---|---|---|", *_rows(Settings, "KMB_")]
    return "\n".join(lines) + "\n"


def section() -> str:
    return f"{BEGIN}\n{reference()}{END}"
