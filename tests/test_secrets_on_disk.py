"""Secrets are never written out in clear, and the files holding users or the audit log are the
owner's alone (issue 19 item 10). Real files, a real child process started as `hotline demo` starts
its services."""

from __future__ import annotations

import os
import re
import sys

import pytest
from pydantic import BaseModel

from hotline.app.services import secret_environment, start_service, write_settings_file
from hotline.settings import Settings
from hotline.warehouse import access, audit

SECRETS = {"kafka": {"sasl_password": "sasl-pw-1f3a"}, "llm": {"api_key": "sk-llm-9c2e"}, "dashboard": {"demo_password": "demo-pw-77d1"}}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(paths={"data_dir": tmp_path / "var"}, **SECRETS)


def test_the_settings_file_holds_no_secret_and_is_the_owners(settings):
    path = write_settings_file(settings)
    text = path.read_text()
    for section in SECRETS.values():
        for value in section.values():
            assert value not in text
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o077 == 0
    assert '"bootstrap_servers"' in text  # everything else is there


def test_a_service_gets_its_secrets_through_its_environment(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("HOTLINE_SETTINGS_FILE", raising=False)
    probe = (
        "from hotline.settings import load_settings; s = load_settings(); "
        "print('GOT', s.kafka.sasl_password, s.llm.api_key, s.dashboard.demo_password, s.paths.data_dir)"
    )
    pid = start_service(settings, "probe", [sys.executable, "-c", probe])
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    log = (settings.paths.under("log") / "probe.log").read_text()
    assert f"GOT sasl-pw-1f3a sk-llm-9c2e demo-pw-77d1 {settings.paths.data_dir}" in log
    assert secret_environment(settings) == {
        "HOTLINE_KAFKA__SASL_PASSWORD": "sasl-pw-1f3a",
        "HOTLINE_LLM__API_KEY": "sk-llm-9c2e",
        "HOTLINE_DASHBOARD__DEMO_PASSWORD": "demo-pw-77d1",
    }


def test_every_setting_that_looks_like_a_secret_is_declared_one():
    looks_secret = re.compile(r"(^|_)(password|passwd|secret|api_key|token|credentials?)($|_)")
    undeclared = []
    for section_name, info in Settings.model_fields.items():
        section = info.annotation
        if not (isinstance(section, type) and issubclass(section, BaseModel)):
            continue
        for name, field in section.model_fields.items():
            declared = isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get("secret") is True
            if looks_secret.search(name) and not declared:
                undeclared.append(f"{section_name}.{name}")
    assert not undeclared, f"declare these with settings.secret(...): {undeclared}"


def test_the_user_store_and_the_audit_files_are_the_owners(tmp_path):
    store = tmp_path / "dash" / "access.sqlite3"
    access.create_demo_users(store, centre_id="c", team_id="t", password="pw")
    audit.record(store, "someone", "login_failed")
    made = [store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")]
    keys = audit.audit_key_dir(store)
    made += [keys / "audit.key", keys / "audit.head"]
    assert {p.name: p.stat().st_mode & 0o777 for p in made if p.exists()} == {p.name: 0o600 for p in made if p.exists()}
    assert store.exists() and (keys / "audit.key").exists()
    assert store.parent.stat().st_mode & 0o777 == 0o700 and keys.stat().st_mode & 0o777 == 0o700


def test_a_store_made_world_readable_before_is_taken_back(tmp_path):
    store = tmp_path / "access.sqlite3"
    access.create_demo_users(store, centre_id="c", team_id="t", password="pw")
    store.chmod(0o644)
    assert access.authenticate(store, "admin", "pw") is not None
    assert store.stat().st_mode & 0o777 == 0o600
