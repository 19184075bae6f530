"""How many calls an LLM endpoint inspects per hour, and what each call costs in requests and tokens.

    .venv/bin/python -m bench.llm_throughput --llm-url http://HOST:8000/v1 --llm-model MODEL [--limit N]

Each call is asked exactly what the inspection worker asks (``judge_call``: caller sentiment,
demand summary, the scorecard's LLM items; then ``extract_demands``) through the production
client, ``--calls-in-flight`` calls at a time. The calls are the project's 12 scripted calls
(devtools/samples/scripts.yaml, their turns as the transcript) and, when ../shared/data is present, the
real MobileCS customer-service calls; ``--limit`` takes the first N.

Figures:
* llm_calls_per_hour: calls fully asked per hour of wall time (the issue's target: >= 20,000 per
  H100-hour against vLLM);
* llm_requests_per_call, llm_tokens_per_call (prompt / completion, as the server's ``usage``
  counts them), llm_failed_requests;
* prefix_shared_chars: characters of the system message every request of every call shares (the
  scorecard prefix vLLM's prefix cache serves), against prompt_chars_per_request, and
  prefix_share = their ratio; per call the transcript block is a further prefix its requests share.

Against the llama-server stand-in (SmolLM2, settings.llm.stand_in) the figures are protocol
figures only: the requests and token counts are real, the replies are meaningless and recorded as
pending; throughput on 2 shared CPU cores says nothing about an H100. The result says so
("stand_in": true).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hotline.contracts import Segment
from hotline.inspection.category import load_category_examples
from hotline.inspection.llm import LlmClient
from hotline.inspection.llm_prompts import PROMPT_VERSION, system_prompt
from hotline.inspection.scorecard import Scorecard, load_scorecard
from devtools.llm_standin import standin_model
from hotline.settings import LlmSettings

from .report import DEFAULT_DATA, emit, peak_rss_mb

log = logging.getLogger("bench.llm_throughput")


def is_stand_in(client: LlmClient) -> bool:
    """The SmolLM2 stand-in, by the model name the server lists (llama-server names it after the GGUF)."""
    name = client.model_name().lower()
    stand_in = standin_model()
    return "smollm" in name or (stand_in is not None and stand_in.stem.lower() in name)


def bench_calls(data: Path, limit: int | None) -> list[tuple[str, tuple[Segment, ...]]]:
    # Imported here: eval_inspection imports this module, and these readers live beside it.
    from .eval_inspection import sample_calls
    from .inspection_sets import read_mobilecs

    calls = [(c["call_id"], segs) for c, segs in sample_calls()]
    calls += read_mobilecs(data) or []
    return calls[:limit] if limit else calls


def measure_llm_throughput(client: LlmClient, calls: Sequence[tuple[str, Sequence[Segment]]], scorecard: Scorecard,
                           categories: Sequence[str], calls_in_flight: int) -> dict:
    """Ask every call what the worker asks; the figures above, from the client's own counters."""
    before = client.usage()
    outcomes: dict[str, int] = {}

    def one(call: tuple[str, Sequence[Segment]]) -> list[str]:
        _, segments = call
        judged = client.judge_call(segments, scorecard, categories)
        demands = client.extract_demands(segments, scorecard, categories)
        return [j.status for j in (*judged.call, *judged.items.values(), demands)]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(calls_in_flight, 1)) as pool:
        for statuses in pool.map(one, calls):
            for s in statuses:
                outcomes[s] = outcomes.get(s, 0) + 1
    elapsed = time.perf_counter() - t0
    after = client.usage()
    n = max(len(calls), 1)
    requests = after.requests - before.requests
    prompt_chars = (after.prompt_chars - before.prompt_chars) / max(requests, 1)
    shared = len(system_prompt(scorecard))
    return {
        "llm_calls": len(calls),
        "llm_elapsed_s": round(elapsed, 1),
        "llm_calls_per_hour": round(len(calls) / elapsed * 3600, 1) if elapsed > 0 else None,
        "llm_requests_per_call": round(requests / n, 2),
        "llm_failed_requests": after.failed_requests - before.failed_requests,
        "llm_tokens_per_call": {
            "prompt": round((after.prompt_tokens - before.prompt_tokens) / n, 1),
            "completion": round((after.completion_tokens - before.completion_tokens) / n, 1),
        },
        "prefix_shared_chars": shared,
        "prompt_chars_per_request": round(prompt_chars, 1),
        "prefix_share": round(shared / prompt_chars, 3) if prompt_chars else None,
        "llm_item_statuses": outcomes,
        "prompt_version": PROMPT_VERSION,
    }


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench.llm_throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--llm-url", required=True, help="an OpenAI-compatible endpoint (vLLM), e.g. http://host:8000/v1")
    parser.add_argument("--llm-model", default=None, help="default: the first model the server lists")
    parser.add_argument("--llm-api-key", default=None)
    parser.add_argument("--llm-concurrency", type=int, default=32, help="requests in flight at most")
    parser.add_argument("--calls-in-flight", type=int, default=None, help="calls asked at once (default: concurrency / 3)")
    parser.add_argument("--llm-timeout-s", type=float, default=300.0)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    probe = LlmClient(LlmSettings(base_url=args.llm_url, model=args.llm_model, api_key=args.llm_api_key))
    stand_in = is_stand_in(probe)
    model = probe.model_name()
    probe.close()
    settings = LlmSettings(base_url=args.llm_url, model=model, api_key=args.llm_api_key, concurrency=args.llm_concurrency,
                           timeout_s=args.llm_timeout_s, stand_in=stand_in)
    scorecard = load_scorecard()
    categories = tuple(load_category_examples().categories)
    calls = bench_calls(args.data, args.limit)
    with LlmClient(settings) as client:
        figures = measure_llm_throughput(client, calls, scorecard, categories, args.calls_in_flight or max(args.llm_concurrency // 3, 1))
    result = {
        "model": f"llm:{model}@{args.llm_url}",
        "stand_in": stand_in,
        "figures": "stand-in protocol figures (real requests and tokens, meaningless replies, 2 shared CPU cores): not quality, not H100 throughput"
        if stand_in else "endpoint throughput",
        "limit": args.limit,
        **figures,
        "peak_rss_mb": peak_rss_mb(),
    }
    for key in ("llm_calls_per_hour", "llm_requests_per_call", "llm_tokens_per_call", "prefix_shared_chars", "prefix_share"):
        print(f"{key:28s} {result.get(key)}")
    return emit("llm_throughput_standin" if stand_in else "llm_throughput", result)


if __name__ == "__main__":
    main(sys.argv[1:])
