"""Read one of the stage's YAML configuration files: the packaged default, or an operator's file.

Category examples, the routing catalogue and the sentiment and attitude prototypes are all read
the same way: ``None`` means the file packaged with the stage, a path means the centre's own;
the YAML is validated into its pydantic model, and every error names the file it came from.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def load_config_file(
    model: type[Model], path: Path | None, *, packaged: str, what: str, error: type[Exception], not_found: str
) -> tuple[Model, str]:
    """(the validated file, its source name); ``error(not_found)`` when ``path`` is not a file."""
    if path is None:
        text, source = resources.files("hotline.inspection").joinpath(packaged).read_text(encoding="utf-8"), packaged
    else:
        if not path.is_file():
            raise error(not_found)
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        return model.model_validate(yaml.safe_load(text)), source
    except (yaml.YAMLError, ValidationError) as exc:
        raise error(f"{what} {source}: {exc}") from exc
