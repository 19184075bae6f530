"""Development-only tools: sample-call synthesis, the dashboard screenshot driver, the LLM protocol stand-in.
Importable from a source checkout (like bench/), never installed: pyproject.toml packages none of it, so the wheel ships no demo voice, browser driver or test double."""
