"""Map domain errors to one clean message and an exit code (used only by the CLI)."""

from __future__ import annotations

from pydantic import ValidationError

# 2: bad configuration or input the user must change; 3: a service the platform needs is unreachable.
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3


def exit_code_for(exc: BaseException) -> tuple[int | None, str]:
    from kafka.errors import KafkaError

    from hotline.broker import BrokerError
    from hotline.contracts import validation_summary
    from hotline.settings import SettingsError

    # Only what load_settings raised is about the settings; any other ValidationError is data the
    # command was given or met (a record, a message, a file's metadata) that does not fit its model.
    if isinstance(exc, SettingsError):
        return EXIT_CONFIG, f"invalid settings: {exc}"
    if isinstance(exc, ValidationError):
        return 1, f"invalid {exc.title} (not a settings problem): {validation_summary(exc)}"
    if isinstance(exc, FileNotFoundError):
        return EXIT_CONFIG, str(exc)
    if isinstance(exc, (BrokerError, ConnectionError, KafkaError)):
        return EXIT_UNAVAILABLE, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TimeoutError):
        return EXIT_UNAVAILABLE, f"timed out: {exc}"
    if isinstance(exc, RuntimeError):
        return 1, str(exc)
    return None, ""
