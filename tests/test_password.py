"""The password: every command that reads a PDF takes it, from the command line, a file or the
environment, and it never shows up in a fingerprint, a repr or a record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from app.cli import app
from pipeline.base.request import Request
from pipeline.base.settings import Settings, get_settings
from tests.tools import hostile

runner = CliRunner()
SECRET = "s3cret"


@pytest.fixture(scope="module")
def locked(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("locked")
    return hostile.encrypted(folder, sample_dir / "porto_profile.pdf", SECRET)


def test_without_a_password_the_message_names_every_way_to_give_one(locked: Path) -> None:
    result = runner.invoke(app, ["read", str(locked)])
    assert result.exit_code == 1
    assert "encrypted" in result.output
    for option in ("--password", "--password-file", "CITYDOCS_PASSWORD"):
        assert option in result.output


def test_read_takes_a_password_file(locked: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(f"{SECRET}\n")
    result = runner.invoke(app, ["read", str(locked), "--password-file", str(secret)])
    assert result.exit_code == 0, result.output
    assert "kind: city_profile" in result.output and SECRET not in result.output


def test_both_password_options_at_once_are_refused(locked: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(SECRET)
    result = runner.invoke(
        app, ["read", str(locked), "--password", SECRET, "--password-file", str(secret)]
    )
    assert result.exit_code == 2 and "not both" in result.output


def test_the_environment_password_stays_out_of_fingerprint_repr_and_record(
    locked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = get_settings()
    monkeypatch.setenv("CITYDOCS_PASSWORD", SECRET)
    get_settings.cache_clear()
    try:
        settings = get_settings()
        result = runner.invoke(app, ["extract", str(locked), "--out", str(tmp_path)])
    finally:
        get_settings.cache_clear()  # the next test reads the environment without the password
    assert settings.password == SecretStr(SECRET)
    assert settings.fingerprint() == plain.fingerprint()
    assert SECRET not in repr(settings) and SECRET not in repr(Request.of(locked, settings))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "locked.json").read_text()
    assert json.loads(text)["doc_type"] == "city_profile" and SECRET not in text


def test_every_command_that_reads_a_pdf_offers_the_options() -> None:
    for command in (["extract"], ["read"], ["run"], ["watch"], ["inspect"]):
        result = runner.invoke(app, [*command, "--help"], terminal_width=200)
        assert "--password-file" in result.output, command
        assert "--password " in result.output, command


def test_settings_carry_no_password_unless_given() -> None:
    assert Settings().password is None
