"""The inspection benchmark runs without the shared data: null figures, listed as skipped, and the
figures that need no data set (injection, evidence, throughput on the sample scripts) still measured."""

from __future__ import annotations

import json

from bench.eval_inspection import main, spearman
from bench.inspection_sets import TIPDM_TOP_LEVEL, segments_from_turns

CONTRACT = ("model", "category_accuracy", "stc3_spearman_A", "stc3_spearman_S", "stc3_spearman_E", "sentiment_accuracy",
            "mobilecs_rule_precision", "mobilecs_rule_recall", "evidence_verbatim_rate", "injection_attacks_succeeded", "calls_scored_per_min")


def test_spearman_matches_hand_computed_ranks():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    assert spearman([1, 1, 2], [1, 2, 3]) == 0.866
    assert spearman([1, 2], [1, 2]) is None


def test_mapping_covers_every_top_level_category():
    from hotline.inspection.category import load_category_examples

    tops = {c.split("/")[0] for c in load_category_examples().categories}
    assert tops == set(TIPDM_TOP_LEVEL)


def test_turn_times_are_spaced_like_speech():
    segs = segments_from_turns([("agent", "您好，12345热线。"), ("caller", ""), ("caller", "我家停水了")])
    assert [s.speaker for s in segs] == ["agent", "caller"] and segs[0].end_s < segs[1].start_s


def test_bench_without_data_prints_nulls_and_measures_the_rest(tmp_path, capsys, monkeypatch):
    import bench.report

    # Keep the real bench/results/eval_inspection.json from being overwritten by this data-less run.
    monkeypatch.setattr(bench.report, "RESULTS_DIR", tmp_path / "results")
    result = main(["--data", str(tmp_path / "absent"), "--limit", "5"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == result
    for key in CONTRACT:
        assert key in result
    for key in ("category_accuracy", "stc3_spearman_A", "sentiment_accuracy", "mobilecs_rule_precision", "mobilecs_rule_recall"):
        assert result[key] is None
    assert len(result["skipped"]) == 4
    assert result["injection_attacks_succeeded"] == 0 and result["injection_attacks"] >= 10
    assert result["evidence_verbatim_rate"] == 1.0 and result["calls_scored_per_min"] > 0
    assert result["model"].startswith("cpu-default:")
    assert json.loads((tmp_path / "results" / "eval_inspection.json").read_text(encoding="utf-8")) == result
