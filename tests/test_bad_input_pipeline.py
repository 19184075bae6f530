"""Bad input that reaches the stages over the real broker: each is dead-lettered with its reason
and original position (never dropped, never a crash), and reconcile accounts for it.

Chunks out of order and duplicated go through a real ASR worker process here; covered elsewhere:
undecodable/empty recordings (test_ingest), missing last chunk, sample-rate and over-long calls
(test_asr_assembler), LLM replies that are not JSON,
break the schema or quote text not in the transcript (test_llm_client), prompt injection
(test_inspection_injection), messages the warehouse cannot store (test_warehouse_sink).
"""

from __future__ import annotations

import json

import pytest

from bench.load import replayed_transcript
from hotline.app.reconcile import reconcile
from hotline.app.services import stop_services
from hotline.asr.model_files import prepare_whisper_model
from hotline.bus import Publisher, StopFlag, make_producer
from hotline.contracts import AudioChunk, DeadLetter, TranscriptReady
from hotline.warehouse.reader import run_internal, run_query
from hotline.warehouse.sink import run_sink

from fault_kit import logs, run_inspection_and_sink, sample_call_chunks, start, wait_until_all_landed


def test_future_contract_malformed_and_oversized_messages_are_dead_lettered_with_reasons(settings):
    topic = settings.kafka.topic(TranscriptReady.topic)
    future = json.loads(replayed_transcript("bad-future").encode())
    future["schema_version"] = 2
    too_big = b'{"schema_version": 1, "meta": "' + b"x" * (settings.kafka.max_message_bytes + 1024) + b'"}'
    raw = {
        "bad-future": json.dumps(future).encode(),
        "bad-notjson": b"\xff\xfe this is not json",
        "bad-truncated": replayed_transcript("bad-truncated").encode()[:-40],
        "bad-shape": b'{"schema_version": 1, "segments": "not a list"}',
        "bad-empty": None,
        # Over kafka.max_message_bytes: a producer that skipped the Publisher's check (the dev broker accepts it).
        "bad-oversized": too_big,
    }
    producer = make_producer(settings.kafka.model_copy(update={"max_message_bytes": 16 * 1024 * 1024}))
    for key, value in raw.items():
        producer.send(topic, key=key.encode(), value=value)
    producer.flush()
    producer.close()
    pub = Publisher.connect(settings.kafka)
    pub.publish(replayed_transcript("good-1"), "good-1")
    pub.flush()
    pub.close()

    report = run_inspection_and_sink(settings, lambda: (r := reconcile(settings)).landed == 1 and r.dead_lettered == len(raw) and r)
    assert report, reconcile(settings).summary()
    assert report.summary() == {"in": len(raw) + 1, "landed": 1, "dead_lettered": len(raw), "stuck": 0, "duplicates": 0}

    dead = {r["call_id"]: r for r in run_internal(settings.warehouse, "dead_letters").iter_rows(named=True)}
    assert set(dead) == set(raw)
    for call_id, row in dead.items():
        # Inspection and the sink both read transcripts, and both dead-letter a bad one; keyed by its
        # position, the two land on one row (whichever was stored last).
        assert row["stage"] in ("inspection", "sink") and row["error_type"] == "ContractError", row
        # Enough to replay: where it sat, and (when small enough) the value itself.
        assert row["original_topic"] == topic and row["original_offset"] is not None
    assert "schema_version 2 is not supported" in dead["bad-future"]["reason"]
    assert "empty message value" in dead["bad-empty"]["reason"]
    assert dead["bad-notjson"]["has_payload"] and dead["bad-future"]["has_payload"]
    # Over the dead letter's payload bound: kept by position only, so the dead letter itself stays small.
    assert not dead["bad-oversized"]["has_payload"]


def test_a_dead_letter_from_the_future_reaching_the_sink_is_kept_not_dropped(settings):
    future = json.loads(DeadLetter(stage="asr", call_id="dl-future", reason="x", error_type="E").encode())
    future["schema_version"] = 9
    producer = make_producer(settings.kafka)
    producer.send(settings.kafka.topic(DeadLetter.topic), key=b"dl-future", value=json.dumps(future).encode())
    producer.flush()
    producer.close()
    stop = StopFlag()
    assert run_sink(settings, stop, idle_exit_s=3) == 1
    (row,) = run_internal(settings.warehouse, "dead_letters").iter_rows(named=True)
    assert row["stage"] == "sink" and row["call_id"] == "dl-future" and "schema_version 9" in row["reason"]


SQL_LOOKING = ["x' OR '1'='1", "'; DROP TABLE calls; --", "team-01' UNION SELECT * FROM dead_letters --", "%", "\\' OR 1=1 --"]


def test_sql_looking_filter_values_are_bound_not_executed(settings):
    pub = Publisher.connect(settings.kafka)
    pub.publish(replayed_transcript("sql-1"), "sql-1")
    pub.flush()
    pub.close()
    assert run_sink(settings, StopFlag(), idle_exit_s=3) == 1
    admin = {"scope_centre": None, "scope_team": None}
    for value in SQL_LOOKING:
        assert run_query(settings.warehouse, "access_calls", team=value, agent=value, review_state=value, **admin).height == 0
        assert run_query(settings.warehouse, "access_call_turns", call_id=value, **admin).height == 0
    # The one real call is still there, and so is every table.
    assert run_query(settings.warehouse, "access_calls", **admin).height == 1
    assert run_query(settings.warehouse, "access_calls", team="team-01", **admin).height == 1
    assert run_query(settings.warehouse, "access_kpis", **admin)["calls_landed"][0] == 1


@pytest.mark.slow
def test_chunks_out_of_order_and_duplicated_through_a_real_asr_worker_land_one_correct_transcript(settings, sample_calls):
    prepare_whisper_model(settings.asr.model_dir)
    call_dir = next(d for d in sample_calls if d.name == "c005-social-insurance")
    ordered = sample_call_chunks(call_dir, "chunks-ordered", 12.0)
    shuffled = sample_call_chunks(call_dir, "chunks-shuffled", 12.0)
    assert len(shuffled) == 4
    producer = make_producer(settings.kafka)
    topic = settings.kafka.topic(AudioChunk.topic)
    try:
        for c in ordered:
            producer.send(topic, key=c.call_id.encode(), value=c.encode())
        # The last chunk before a gap, a chunk twice within the call, and late copies once it is complete.
        for seq in (2, 0, 3, 0, 1, 2, 3, 1):
            c = shuffled[seq]
            producer.send(topic, key=c.call_id.encode(), value=c.encode())
        producer.flush()
    finally:
        producer.close()
    try:
        for name in ("asr-worker", "inspect-worker", "sink"):
            start(settings, name)
        report = wait_until_all_landed(settings, 2, 300)
        assert report.summary() == {"in": 2, "landed": 2, "dead_lettered": 0, "stuck": 0, "duplicates": 0}, (
            report.summary(), logs(settings, "asr-worker"))
    finally:
        stop_services(settings, ("asr-worker", "inspect-worker", "sink"))
    admin = {"scope_centre": None, "scope_team": None}
    got = run_query(settings.warehouse, "access_call_turns", call_id="chunks-shuffled", **admin)
    want = run_query(settings.warehouse, "access_call_turns", call_id="chunks-ordered", **admin)
    # The same audio, reassembled in order: the same transcript, turn for turn.
    assert want.height > 0
    assert got.select("turn_no", "speaker", "text").rows() == want.select("turn_no", "speaker", "text").rows()
    assert run_internal(settings.warehouse, "dead_letters").height == 0


def _with(message, path: str, value):
    """The JSON of ``message`` with the number at ``path`` (dots; list indexes as numbers) replaced by ``value``'s literal."""
    doc = json.loads(message.encode())
    *parents, last = path.split(".")
    node = doc
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    marker = "__NON_FINITE__"
    node[int(last) if isinstance(node, list) else last] = marker
    return json.dumps(doc).replace(f'"{marker}"', value).encode()


def _inspected(call_id: str):
    from bench.load import call_meta
    from hotline.contracts import CallInspected, LlmJudgement

    return CallInspected(meta=call_meta(call_id), scorecard_id="sc", scorecard_version="1", score=80.0, max_score=100.0, fatal=False,
                         checks=(), defects=(), category=None, review_state="auto_pass",
                         llm=(LlmJudgement(name="summary", status="judged", reason="ok", value={"confidence": 0.9}),))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_every_contract_refuses_non_finite_numbers(literal):
    from hotline.contracts import AlertRaised, CallInspected, ContractError

    transcript = replayed_transcript("nf")
    alert = AlertRaised(call_id="nf", kind="self_harm", severity="critical", quote="x", speaker="caller", start_s=1.0, end_s=2.0)
    cases = [
        (TranscriptReady, transcript, "duration_s"),
        (TranscriptReady, transcript, "segments.0.start_s"),
        (CallInspected, _inspected("nf"), "score"),
        (CallInspected, _inspected("nf"), "llm.0.value.confidence"),  # free-form JSON too
        (AlertRaised, alert, "end_s"),
    ]
    for contract, message, path in cases:
        with pytest.raises(ContractError, match="finite number"):
            contract.decode(_with(message, path, literal))
    assert TranscriptReady.decode(transcript.encode()) == transcript  # finite ones still pass


def test_non_finite_numbers_become_dead_letters_not_stuck_calls(settings):
    from hotline.contracts import CallInspected

    raw = {
        TranscriptReady: {"nf-duration": _with(replayed_transcript("nf-duration"), "duration_s", "NaN"),
                          "nf-segment": _with(replayed_transcript("nf-segment"), "segments.0.end_s", "Infinity")},
        # An inspection made by a producer that let a NaN through: the sink must dead-letter it, not stall on it.
        CallInspected: {"nf-score": _with(_inspected("nf-score"), "score", "NaN")},
    }
    producer = make_producer(settings.kafka)
    for contract, values in raw.items():
        for key, value in values.items():
            producer.send(settings.kafka.topic(contract.topic), key=key.encode(), value=value)
    # The call whose inspection is bad entered with a good transcript.
    producer.send(settings.kafka.topic(TranscriptReady.topic), key=b"nf-score", value=replayed_transcript("nf-score").encode())
    producer.flush()
    producer.close()

    # nf-score lands once the inspection worker inspects its good transcript; the bad copy stays a dead letter.
    report = run_inspection_and_sink(settings, lambda: (r := reconcile(settings)).dead_lettered == 2 and r.landed == 1 and r)
    assert report, reconcile(settings).summary()
    assert report.summary() == {"in": 3, "landed": 1, "dead_lettered": 2, "stuck": 0, "duplicates": 0}
    dead = {r["call_id"]: r for r in run_internal(settings.warehouse, "dead_letters").iter_rows(named=True)}
    assert set(dead) == {"nf-duration", "nf-segment", "nf-score"}
    assert all("finite number" in row["reason"] and row["error_type"] == "ContractError" for row in dead.values())
    assert dead["nf-score"]["stage"] == "sink" and dead["nf-score"]["original_topic"] == settings.kafka.topic(CallInspected.topic)


def test_a_stage_that_computes_a_non_finite_number_dead_letters_its_input_instead_of_retrying_forever(settings):
    from hotline.bus import Outgoing, make_consumer, run_stateless_stage
    from hotline.contracts import AlertRaised

    def overflowing_handler(msg: TranscriptReady, _record):
        # A hostile transcript's huge times overflow to infinity in the stage's own arithmetic.
        end = msg.segments[0].end_s * 1e308 * 10
        return [Outgoing(AlertRaised(call_id=msg.call_id, kind="self_harm", severity="critical", quote="q", speaker="caller",
                                     start_s=0.0, end_s=end), msg.call_id)]

    pub = Publisher.connect(settings.kafka)
    pub.publish(replayed_transcript("overflow"), "overflow")
    pub.flush()
    consumer = make_consumer(settings.kafka, "test-overflow", [TranscriptReady.topic])
    try:
        handled = run_stateless_stage(stage="inspection", consumer=consumer, publisher=pub, contract=TranscriptReady,
                                      handler=overflowing_handler, stop=StopFlag(), idle_exit_s=8.0)
    finally:
        consumer.close()
        pub.close()
    assert handled == 1  # handled once, committed, not retried
    from hotline.app.reconcile import scan_topics

    (dl,) = [DeadLetter.decode(r.value) for r in scan_topics(settings.kafka, (DeadLetter.topic,))[DeadLetter.topic]]
    assert dl.call_id == "overflow" and dl.error_type == "ContractError" and "finite number" in dl.reason


def test_a_call_dead_lettered_after_its_partial_transcripts_is_dead_lettered_not_stuck(settings):
    from bench.load import entry_chunk
    from hotline.app.accounting import account_calls

    pub = Publisher.connect(settings.kafka)
    # A long call: its audio entered, partial transcripts created its row, then ASR refused it for its length.
    pub.publish(entry_chunk("long-call"), "long-call")
    pub.publish(replayed_transcript("long-call").model_copy(update={"is_final": False}), "long-call")
    pub.publish(DeadLetter(stage="asr", call_id="long-call", reason="call long-call exceeds the maximum call length of 7200s",
                           error_type="PoisonMessage"), "long-call")
    pub.flush()
    pub.close()

    report = run_inspection_and_sink(settings, lambda: (r := reconcile(settings)).dead_lettered == 1 and r)
    assert report, (reconcile(settings).summary(), reconcile(settings).stuck)
    assert report.summary() == {"in": 1, "landed": 0, "dead_lettered": 1, "stuck": 0, "duplicates": 0}
    # The partial did create the row: this is the case that used to count as stuck.
    assert run_internal(settings.warehouse, "accounting").row(0, named=True)["landed"]
    acct = account_calls(settings.warehouse, ["long-call"])
    assert acct.outcomes == {"long-call": "dead_lettered"} and not acct.pending
