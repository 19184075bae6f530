"""The packaging promises: one namespace from top-level folders, stdlib `inspect` untouched, one CLI."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SUBCOMMANDS = ("broker", "ingest", "asr-worker", "inspect-worker", "sink", "dashboard", "demo", "models", "samples", "reconcile", "status", "jobs", "export", "workorders", "users", "settings")


def test_import_inspect_is_the_standard_library():
    assert Path(inspect.__file__).parent != REPO_ROOT
    assert hasattr(inspect, "signature")
    # Also from a fresh interpreter started in the repository root (as `python -m pytest` is).
    out = subprocess.run([sys.executable, "-c", "import inspect; print(inspect.__file__)"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert not Path(out.stdout.strip()).is_relative_to(REPO_ROOT)


@pytest.mark.parametrize(("module", "folder"), [("hotline.ingest", "ingest"), ("hotline.asr", "asr"), ("hotline.inspection", "inspection"), ("hotline.dashboards", "dashboards"), ("hotline.warehouse", "warehouse"), ("hotline.sql", "sql"), ("hotline.app", "app")])
def test_stages_import_from_top_level_folders(module, folder):
    mod = __import__(module, fromlist=["_"])
    assert Path(mod.__file__).resolve().parent == REPO_ROOT / folder


def test_cli_lists_every_subcommand():
    out = subprocess.run([sys.executable, "-m", "hotline", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    for name in SUBCOMMANDS:
        assert name in out.stdout


def test_settings_from_file_and_environment(tmp_path, monkeypatch):
    from hotline.settings import load_settings

    cfg = tmp_path / "hotline.toml"
    cfg.write_text('[kafka]\nbootstrap_servers = "k1:9092,k2:9092"\n[asr]\nbeam_size = 3\n', encoding="utf-8")
    monkeypatch.setenv("HOTLINE_SETTINGS_FILE", str(cfg))
    monkeypatch.setenv("HOTLINE_ASR__BEAM_SIZE", "1")
    s = load_settings()
    assert s.kafka.bootstrap_servers == "k1:9092,k2:9092"
    assert s.asr.beam_size == 1  # the environment wins over the file


def test_bad_settings_fail_with_a_clean_message(tmp_path):
    cfg = tmp_path / "hotline.toml"
    cfg.write_text("[kafka]\nno_such_field = 1\n", encoding="utf-8")
    env = {"HOTLINE_SETTINGS_FILE": str(cfg), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "hotline", "topics"], cwd=REPO_ROOT, capture_output=True, text=True, env=env)
    assert out.returncode == 2
    assert "invalid settings" in out.stderr and "Traceback" not in out.stderr


def _cli_outside_the_checkout(cwd: Path, argv: list[str], pretend_file: str | None = None) -> subprocess.CompletedProcess:
    """`hotline ARGV` started from `cwd` (not the checkout, so it is not on sys.path); with pretend_file,
    as if app/cli.py were installed there (a wheel in site-packages)."""
    pretend = f"import hotline.app.cli as c; c.__file__ = {pretend_file!r}; " if pretend_file else ""
    code = f"import sys; {pretend}from hotline.app.cli import main; sys.argv = ['hotline', *{argv!r}]; main()"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_sample_commands_find_devtools_from_an_editable_checkout_anywhere(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import devtools"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0, "devtools must not be installed"
    done = _cli_outside_the_checkout(tmp_path, ["workorders", "sample", "--csv", str(tmp_path / "events.csv")])
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "events.csv").read_text(encoding="utf-8").startswith("event_id,")


@pytest.mark.parametrize("argv", [["samples", "--limit", "1"], ["demo", "--limit", "1"], ["workorders", "sample"]])
def test_sample_commands_without_the_checkout_say_so_in_one_line(tmp_path, argv):
    installed = str(tmp_path / "site-packages" / "hotline" / "app" / "cli.py")
    done = _cli_outside_the_checkout(tmp_path, argv, pretend_file=installed)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "development tool" in done.stderr and "source checkout" in done.stderr
