"""The configuration reference in docs/deploy.md is the one the settings class gives."""

from __future__ import annotations

from pathlib import Path

from kmb.config_reference import section
from kmb.settings import Settings

DEPLOY = Path(__file__).parents[2] / "docs" / "deploy.md"


def test_the_deployment_guide_lists_every_setting_as_the_code_has_it() -> None:
    assert section() in DEPLOY.read_text("utf-8"), "run: kmb config-reference"
    for name in Settings.model_fields:
        assert f"`KMB_{name.upper()}" in section()
