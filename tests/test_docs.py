"""The docs say what the code does: settings, commands and the two set-up commands."""

from __future__ import annotations

import re

from belwatch.cli import cli
from belwatch.docs import cli_reference
from belwatch.settings import SETTINGS_DOC

from conftest import REPO

README = (REPO / "README.md").read_text()


def test_readme_opens_with_the_two_setup_commands() -> None:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["BELWATCH_FALLBACK_SOURCES=../shared/data/sources ./run", "./test"]
    assert README.index("```sh") < README.index("## ")
    ci = (REPO / ".ci" / "run").read_text()
    assert [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ] == ["./test"]


def test_every_setting_is_documented() -> None:
    for key in SETTINGS_DOC:
        assert f"`{key}`" in README, f"{key} is missing from the README's settings table"


def test_every_command_is_in_the_readme() -> None:
    for name in cli.commands:
        assert f"belwatch {name}" in README, f"belwatch {name} is not shown in the README"


def test_cli_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text() == cli_reference(), (
        "docs/cli.md is stale: run python -m belwatch.docs > docs/cli.md"
    )
