"""The CLI's error messages say what was wrong: "invalid settings" only for settings that failed to
load (hotline.settings.SettingsError), never for other data that failed validation (issue 19 item 8:
a recording's header once ended `hotline ingest` with "invalid settings")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hotline.contracts import CallMeta
from hotline.errors import EXIT_CONFIG, exit_code_for
from hotline.settings import SettingsError, load_settings

REPO = Path(__file__).resolve().parents[1]


def hotline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hotline", *args], cwd=REPO, env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=120)


def test_a_bad_setting_in_the_environment_is_named_with_where_settings_come_from(monkeypatch):
    monkeypatch.delenv("HOTLINE_SETTINGS_FILE", raising=False)
    monkeypatch.setenv("HOTLINE_KAFKA__PARTITIONS", "many")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    code, message = exit_code_for(raised.value)
    assert code == EXIT_CONFIG
    assert message.startswith("invalid settings: kafka.partitions: ") and "environment" in message


@pytest.mark.parametrize(("content", "named"), [("[kafka]\nno_such_field = 1\n", "kafka.no_such_field"),
                                                  ("[kafka\nbootstrap_servers = ", "TOMLDecodeError")])
def test_a_bad_settings_file_is_invalid_settings_naming_the_file(tmp_path, monkeypatch, content, named):
    cfg = tmp_path / "hotline.toml"
    cfg.write_text(content, encoding="utf-8")
    monkeypatch.setenv("HOTLINE_SETTINGS_FILE", str(cfg))
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert named in str(raised.value) and str(cfg) in str(raised.value)
    out = hotline("topics", env={"HOTLINE_SETTINGS_FILE": str(cfg)})
    assert out.returncode == EXIT_CONFIG and "Traceback" not in out.stderr
    assert out.stderr.startswith("hotline: invalid settings: ") and named in out.stderr


def test_a_missing_settings_file_is_invalid_settings(tmp_path):
    out = hotline("topics", env={"HOTLINE_SETTINGS_FILE": str(tmp_path / "gone.toml")})
    assert out.returncode == EXIT_CONFIG and "invalid settings" in out.stderr and "does not name a file" in out.stderr


def test_other_validation_errors_are_not_called_settings():
    with pytest.raises(ValueError) as raised:  # a recorder's metadata that does not fit the contract
        CallMeta.model_validate({"call_id": "c1", "centre_id": "c", "team_id": "t", "agent_id": "a",
                                 "started_at": "2026-11-01T09:00:00+08:00", "channel_layout": "mono", "agent_channel": 7})
    code, message = exit_code_for(raised.value)
    assert code == 1 and "settings" not in message.replace("not a settings problem", "")
    assert message.startswith("invalid CallMeta (not a settings problem): ") and "'agent_channel'" in message
