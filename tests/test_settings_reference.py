"""Settings document themselves: every setting carries a description, `hotline settings` prints the
reference from the declarations, README.md carries the same table (so it cannot drift), and a secret's
value is never printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from hotline.settings import Settings, load_settings, reference_markdown, reference_rows

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- settings-reference:start -->", "<!-- settings-reference:end -->"
REGENERATE = ".venv/bin/hotline settings --markdown"


def hotline(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hotline", *args], cwd=REPO, env={"PATH": "/usr/bin:/bin", **(env or {})},
                          capture_output=True, text=True, timeout=120, check=True)


def sections() -> dict[str, type[BaseModel]]:
    return {name: info.annotation for name, info in Settings.model_fields.items()}


def secret_env_vars() -> dict[str, str]:
    """HOTLINE_<SECTION>__<FIELD> of every secret setting -> a value that must never be printed."""
    found = {}
    for section_name, section in sections().items():
        for name, info in section.model_fields.items():
            if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("secret") is True:
                found[f"HOTLINE_{section_name}__{name}".upper()] = f"leak-{section_name}-{name}-7f3c"
    return found


def test_every_section_and_setting_has_a_description():
    missing = [name for name, info in Settings.model_fields.items() if not (info.description or "").strip()]
    for section_name, section in sections().items():
        missing += [f"{section_name}.{name}" for name, info in section.model_fields.items() if not (info.description or "").strip()]
    assert not missing, f"give these a Field(..., description=...): {missing}"


def test_the_reference_lists_every_setting_once_with_its_environment_variable():
    rows = {r.name: r for r in reference_rows() if r.type != "section"}
    declared = [f"{s}.{f}" for s, section in sections().items() for f in section.model_fields]
    assert list(rows) == declared
    assert rows["kafka.partitions"].env == "HOTLINE_KAFKA__PARTITIONS"
    assert rows["asr.temperatures"].type == "list of float, at least 1" and rows["asr.batch_size"].type == "int, >= 0"
    assert rows["llm.local_model_path"].default == '"var/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"'  # as written


def test_the_environment_variable_and_default_columns_are_what_the_settings_read(tmp_path, monkeypatch):
    rows = [r for r in reference_rows() if r.type != "section"]
    # Every default written into a settings file as printed loads back as the declared default.
    toml: dict[str, list[str]] = {}
    for r in rows:
        if r.default not in ("None", "(secret)"):
            section, field = r.name.split(".")
            toml.setdefault(section, []).append(f"{field} = {r.default}")
    cfg = tmp_path / "hotline.toml"
    cfg.write_text("".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in toml.items()), encoding="utf-8")
    for var in [v for v in os.environ if v.startswith("HOTLINE_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("HOTLINE_SETTINGS_FILE", str(cfg))
    assert load_settings().model_dump() == {s: section().model_dump() for s, section in sections().items()}
    # And the printed variable is the one read.
    by_name = {r.name: r for r in rows}
    monkeypatch.setenv(by_name["kafka.partitions"].env, "7")
    monkeypatch.setenv(by_name["jobs.keep_audio_days"].env, "30")
    s = load_settings()
    assert s.kafka.partitions == 7 and s.jobs.keep_audio_days == 30


def test_readme_carries_the_generated_table():
    generated = hotline("settings", "--markdown").stdout
    assert generated == reference_markdown() + "\n"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1, f"README.md needs one {START} ... {END} block"
    carried = readme.split(START, 1)[1].split(END, 1)[0].strip("\n")
    assert carried == generated.strip("\n"), (
        f"README.md's settings table is stale: run `{REGENERATE}` and paste its output between {START} and {END}"
    )


def test_secrets_never_print_their_value_even_when_set():
    secrets = secret_env_vars()
    assert {"HOTLINE_KAFKA__SASL_PASSWORD", "HOTLINE_LLM__API_KEY", "HOTLINE_DASHBOARD__DEMO_PASSWORD"} <= set(secrets)
    for args in (("settings",), ("settings", "--markdown")):
        out = hotline(*args, env=secrets)
        for var, value in secrets.items():
            assert value not in out.stdout + out.stderr, f"`hotline {' '.join(args)}` printed the value of {var}"
            assert var in out.stdout
    rows = {r.env: r for r in reference_rows()}
    assert all(rows[var].default == "(secret)" for var in secrets)
    assert all(r.default != "(secret)" for var, r in rows.items() if var not in secrets)
