"""Agent attitude without an LLM on real calls: the distribution per turn and per call.

There are no attitude labels for any call we can read here, so this reports what the classifier
says on the 10 real China Mobile calls (MobileCS, agent = [SPEAKER 1]) and on the project's own
sample calls (whose scripts plant one rude agent, c011), and prints the turns judged impatient or
rude for a person to spot-check. Quotes from the evaluation data go to the terminal only, never
into bench/results (evaluation text stays out of the repository).

    .venv/bin/python -m bench.eval_attitude
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from hotline.contracts import Segment
from hotline.inspection.attitude import AttitudeClassifier, load_attitude_prototypes
from hotline.inspection.category import Categoriser, load_category_examples
from hotline.inspection.scorecard import load_scorecard
from devtools.samples.scripts import load_scripts

from .inspection_sets import read_mobilecs, segments_from_turns
from .report import DEFAULT_DATA, emit, peak_rss_mb


def sample_segments() -> list[tuple[str, tuple[Segment, ...]]]:
    return [(c.call_id, segments_from_turns([("agent" if t.role == "agent" else "caller", t.text) for t in c.turns])) for c in load_scripts().calls]


def judge(classifier: AttitudeClassifier, calls: Sequence[tuple[str, tuple[Segment, ...]]], name: str, show_quotes: bool) -> dict:
    scorecard = load_scorecard()
    turns, overall = Counter(), Counter()
    flagged = []
    for call_id, segments in calls:
        att = classifier.agent_attitude(segments, scorecard)
        if att is None:
            continue
        overall[att.overall] += 1
        text = {(s.start_s, s.end_s): s.text for s in segments if s.speaker == "agent"}
        for t in att.turns:
            turns[t.label] += 1
            if t.label in ("impatient", "rude"):
                flagged.append((call_id, t.label, t.reason, text.get((t.start_s, t.end_s), "")))
    print(f"\n{name}: {sum(overall.values())} calls, {sum(turns.values())} agent turns")
    print("  per turn:", dict(turns.most_common()), " overall:", dict(overall.most_common()))
    for call_id, label, reason, quote in flagged:
        print(f"  {call_id} {label:9s} {reason} | {quote[:80] if show_quotes else '(quote hidden)'}")
    return {f"{name}_calls": sum(overall.values()), f"{name}_turn_labels": dict(turns), f"{name}_overall_labels": dict(overall),
            f"{name}_flagged_turns": len(flagged)}


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.eval_attitude", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared evaluation data folder")
    parser.add_argument("--hide-quotes", action="store_true", help="do not print the flagged turns' words")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    t0 = time.perf_counter()
    categoriser = Categoriser(load_category_examples(), threads=1)
    classifier = AttitudeClassifier(load_attitude_prototypes(), categoriser.embed)
    result: dict = {"method": classifier.method, "labelled": False, "skipped": []}
    mobilecs = read_mobilecs(args.data)
    if mobilecs is None:
        result["skipped"].append("mobilecs_callcenter")
    else:
        result.update(judge(classifier, mobilecs, "mobilecs", not args.hide_quotes))
    result.update(judge(classifier, sample_segments(), "samples", True))
    result["elapsed_s"] = round(time.perf_counter() - t0, 1)
    result["peak_rss_mb"] = peak_rss_mb()
    return emit("eval_attitude", result)


if __name__ == "__main__":
    main(sys.argv[1:])
