"""The versioned scorecard: which items a call is inspected on, their weights, and the risk lists.

A scorecard is a YAML file (the packaged default is scorecard_12345.yaml). It is loaded once into
frozen, typed models; each rule item's parameters are checked against that rule's own model, so a
misspelt key fails at start-up with the item and field named.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PACKAGED_SCORECARD = "scorecard_12345.yaml"

Phrase = Annotated[str, Field(min_length=1, max_length=40)]


class ScorecardError(ValueError):
    """The scorecard file is missing or invalid; the message names the bad field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GreetingParams(_Frozen):
    # Agent segments that start within this many seconds of the agent's first word count as the first turn.
    within_s: float = Field(default=10.0, gt=0)
    greetings: tuple[Phrase, ...] = Field(min_length=1)
    # The hotline must name itself (12345 / 热线), however the ASR wrote the number.
    identities: tuple[Phrase, ...] = Field(min_length=1)


class ClosingParams(_Frozen):
    last_turns: int = Field(default=2, ge=1, le=10)
    closings: tuple[Phrase, ...] = Field(min_length=1)


class PhraseClass(_Frozen):
    fatal: bool = False
    phrases: tuple[Phrase, ...] = Field(min_length=1)


class ForbiddenPhraseParams(_Frozen):
    classes: dict[str, PhraseClass] = Field(min_length=1)


class AddressRepeatParams(_Frozen):
    # A place component names a location by itself (…路, …小区); unit components (…号, …栋) only
    # count when attached to one, so "上个月3号" is not an address.
    place_suffixes: tuple[Phrase, ...] = Field(min_length=1)
    unit_suffixes: tuple[Phrase, ...] = ()
    # Words that look like addresses but are not (手机号, 社区医院 ...).
    not_addresses: tuple[Phrase, ...] = ()
    # Fraction of a component's characters the agent must say back for it to count as repeated.
    min_char_overlap: float = Field(default=0.6, gt=0, le=1)
    # Fraction of the address's components that must be repeated.
    min_components: float = Field(default=0.5, gt=0, le=1)


class LongSilenceParams(_Frozen):
    # A gap after the agent asked the caller to hold is allowed up to hold_max_s.
    hold_phrases: tuple[Phrase, ...] = ()
    hold_max_s: float = Field(default=60.0, gt=0)


class LlmItemParams(_Frozen):
    # What the LLM is asked about this item (Chinese, shown to the model after the transcript's rules).
    question: Annotated[str, Field(min_length=4, max_length=400)]


RULE_PARAMS: dict[str, type[_Frozen]] = {
    "greeting": GreetingParams,
    "closing": ClosingParams,
    "forbidden_phrase": ForbiddenPhraseParams,
    "address_repeat": AddressRepeatParams,
    "long_silence": LongSilenceParams,
}


class ScorecardItem(_Frozen):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    kind: Literal["rule", "timing", "llm"]
    weight: float = Field(gt=0)
    fatal: bool = False
    description: str = ""
    params: GreetingParams | ClosingParams | ForbiddenPhraseParams | AddressRepeatParams | LongSilenceParams | LlmItemParams

    @model_validator(mode="before")
    @classmethod
    def _typed_params(cls, data: object) -> object:
        if not isinstance(data, dict) or isinstance(data.get("params"), BaseModel):
            return data
        if "params" in data:
            raise ValueError("unknown key 'params' (the key is 'parameters')")
        data = dict(data)
        raw = data.pop("parameters", None) or {}
        item_id, kind = data.get("id"), data.get("kind")
        if kind == "llm":
            model: type[_Frozen] = LlmItemParams
        elif item_id in RULE_PARAMS:
            model = RULE_PARAMS[item_id]
        else:
            raise ValueError(f"no rule implements item id '{item_id}' (known: {', '.join(RULE_PARAMS)}); use kind: llm for model-judged items")
        try:
            data["params"] = model.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"parameters.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            raise ValueError(problems) from None
        return data


class AlertList(_Frozen):
    severity: Literal["high", "critical"]
    phrases: tuple[Phrase, ...] = Field(min_length=1)


class ReviewPolicy(_Frozen):
    # Calls scoring below this (out of 100) are sampled for human review.
    sample_review_below: float = Field(ge=0, le=100)


class MomentSpec(_Frozen):
    """Where in the call a service moment is looked for, and the patterns that recognise it.

    Patterns are regular expressions matched on the agent's words with punctuation and spaces
    removed (as textmatch normalises them), so write them without punctuation.
    """

    where: Literal["first_agent_turns", "last_agent_turns", "anywhere"]
    turns: int = Field(default=2, ge=1, le=20)
    patterns: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _compiles(self) -> "MomentSpec":
        import re

        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return self


class Scorecard(_Frozen):
    scorecard_id: Annotated[str, Field(min_length=1, max_length=64)]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    title: str
    review: ReviewPolicy
    items: tuple[ScorecardItem, ...] = Field(min_length=1)
    alerts: dict[Literal["self_harm", "violence_threat", "mass_gathering", "media_exposure"], AlertList]
    # Service moments (greeting, identity verification, closing, satisfaction invitation) found in
    # the agent's words: shown to reviewers and measured on real calls; they do not change the score.
    moments: dict[Literal["greeting", "verification", "closing", "satisfaction_invitation"], MomentSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Scorecard":
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"duplicate item id '{item.id}'")
            seen.add(item.id)
        return self

    def item(self, item_id: str) -> ScorecardItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def llm_items(self) -> tuple[ScorecardItem, ...]:
        return tuple(i for i in self.items if i.kind == "llm")


def _describe(exc: ValidationError, raw: dict) -> str:
    parts = []
    errors = exc.errors()
    item_errors = any(len(e.get("loc", ())) > 1 and e["loc"][0] == "items" for e in errors)
    for err in errors[:6]:
        if item_errors and tuple(err.get("loc", ())) == ("items",) and err.get("type") == "too_short":
            continue  # pydantic's echo of an invalid item, not a second problem
        loc = list(err.get("loc", ()))
        # Name items by id, not by list index, so the operator finds them in the file.
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            items = raw.get("items") or []
            if loc[1] < len(items) and isinstance(items[loc[1]], dict) and "id" in items[loc[1]]:
                loc[1] = f"[{items[loc[1]]['id']}]"
        where = ".".join(str(p) for p in loc if p not in ("function-after", "function-before")) or "(top level)"
        parts.append(f"{where}: {err.get('msg')}".replace("Value error, ", ""))
    return "; ".join(parts)


def parse_scorecard(text: str, source: str = "<string>") -> Scorecard:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScorecardError(f"scorecard {source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ScorecardError(f"scorecard {source}: expected a mapping at the top level")
    try:
        return Scorecard.model_validate(raw)
    except ValidationError as exc:
        raise ScorecardError(f"scorecard {source}: {_describe(exc, raw)}") from exc


def load_scorecard(path: Path | None = None) -> Scorecard:
    """Load a scorecard file; None loads the packaged 12345 scorecard."""
    if path is None:
        text = resources.files("hotline.inspection").joinpath(PACKAGED_SCORECARD).read_text(encoding="utf-8")
        return parse_scorecard(text, PACKAGED_SCORECARD)
    if not path.is_file():
        raise ScorecardError(f"scorecard file not found: {path} (set inspection.scorecard)")
    return parse_scorecard(path.read_text(encoding="utf-8"), str(path))
