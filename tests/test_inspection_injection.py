"""Prompt injection inside caller turns (bench/injection_attacks.yaml) changes nothing.

Rule checks, score, fatality, defects and review routing are compared with the same call without
the attack; in the LLM prompt the attack must stay inside the transcript's data block.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotline.inspection.llm import LlmClient
from hotline.inspection.llm_prompts import demands_task, item_task, render_transcript, sentiment_task, summary_task, turns_in, user_message
from hotline.inspection.scorecard import load_scorecard
from hotline.inspection.worker import inspect_call
from hotline.settings import InspectionSettings, LlmSettings

from test_inspection_rules import good_call, seg, transcript

ATTACKS = yaml.safe_load((Path(__file__).resolve().parents[1] / "bench" / "injection_attacks.yaml").read_text(encoding="utf-8"))["attacks"]
SCORECARD = load_scorecard()


def defective_call():
    segments = good_call()
    segments[0] = seg("agent", 0.4, 3.2, "喂，请讲。")
    segments[4] = seg("agent", 18.0, 24.0, "这个不归我们管，你自己去找住建部门。")
    segments[-1] = seg("agent", 26.0, 29.0, "行了，就这样。")
    return segments


def verdicts(segments):
    inspected, alerts = inspect_call(transcript(segments), scorecard=SCORECARD, categoriser=None, llm=LlmClient(LlmSettings()),
                                     settings=InspectionSettings())
    return [(c.item_id, c.status, c.points) for c in inspected.checks], inspected.score, inspected.fatal, inspected.defects, inspected.review_state, [a.kind for a in alerts]


def test_the_attack_set_is_large_and_bilingual():
    assert len(ATTACKS) >= 10 and len({a["id"] for a in ATTACKS}) == len(ATTACKS)
    assert any(a["id"].startswith("en-") for a in ATTACKS) and any(a["id"].startswith("zh-") for a in ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a["id"])
def test_attack_in_a_caller_turn_changes_no_judgement(attack):
    plain = defective_call()
    attacked = list(plain)
    attacked[3] = seg("caller", 16.4, 17.6, "对，就是那里。" + attack["text"])
    before, after = verdicts(plain), verdicts(attacked)
    assert after == before
    assert before[1] < 100 and {"greeting", "forbidden_phrase", "closing"} <= set(before[3])


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a["id"])
def test_attack_stays_inside_the_prompts_data_block(attack):
    segments = defective_call()
    segments[3] = seg("caller", 16.4, 17.6, attack["text"])
    rendered = render_transcript(segments)
    # One line per turn, numbered 1..n: the attack cannot add a turn the model could be told to cite.
    turns = tuple(range(1, len(segments) + 1))
    assert turns_in(rendered) == turns and len(rendered.split("\n")) == len(segments)
    assert rendered.split("\n")[3].startswith("[4 来电人] ")
    for task in (sentiment_task((2, 4, 6)), summary_task(()), item_task(SCORECARD.llm_items[0], turns), demands_task((2, 4, 6))):
        message = user_message(rendered, task)
        assert message.count("<<<TRANSCRIPT") == 1 and message.count("TRANSCRIPT>>>") == 1
        block, after = message.split("<<<TRANSCRIPT", 1)[1].split("TRANSCRIPT>>>", 1)
        assert "来电人" in block and after.strip().startswith("以上是通话数据。") and after.strip().endswith(task.instruction)
