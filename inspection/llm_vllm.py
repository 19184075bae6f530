"""vLLM in-process, for GPU batch backfills (re-inspecting months of stored calls on one box).

Optional and never imported by default: ``pip install vllm`` on a CUDA machine, then

    from hotline.inspection.llm_vllm import VllmInProcessClient
    client = VllmInProcessClient(settings.llm, model_dir=Path("/models/Qwen2.5-7B-Instruct"))
    # use it wherever an LlmClient goes: inspect_call(..., llm=client), rejudge, the benchmark

It is the same client as the HTTP one (same prompts, same strict JSON schemas, same validation,
same pending / needs_review rules, same token accounting); only the transport differs: requests
from all threads are gathered for up to ``batch_wait_s`` (at most ``settings.llm.concurrency`` of
them) and handed to ``vllm.LLM.chat`` as one batch with structured outputs, so many calls'
requests share the GPU at once and the shared scorecard prefix hits vLLM's prefix cache
(``enable_prefix_caching``).

UNTESTED HERE: vLLM's wheel is a CUDA build with no CPU install path, and no machine in this
workplace can install it or hold a Chinese-capable instruct model. Only the "vllm is not
installed" path is tested. Operators should run bench/llm_throughput.py-style checks with it
before a backfill. The structured-output parameter moved between vLLM releases
(``StructuredOutputsParams`` in newer ones, ``GuidedDecodingParams`` before); both are tried.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from hotline.settings import LlmSettings

from .llm import LlmClient, _Tokens, _Unavailable, checked_content

log = logging.getLogger(__name__)


class VllmUnavailable(RuntimeError):
    """vLLM is not installed (or cannot load): a configuration error, said at start-up."""


def _load_vllm():
    try:
        import vllm  # noqa: PLC0415 (optional dependency, imported only when asked for)
    except ImportError as exc:
        raise VllmUnavailable("vLLM is not installed: `pip install vllm` on a CUDA machine, or point settings.llm.base_url at a vLLM server") from exc
    return vllm


def _sampling_params(vllm, max_tokens: int, schema: dict):
    try:
        from vllm.sampling_params import StructuredOutputsParams  # noqa: PLC0415

        return vllm.SamplingParams(temperature=0, max_tokens=max_tokens, structured_outputs=StructuredOutputsParams(json=schema))
    except ImportError:
        from vllm.sampling_params import GuidedDecodingParams  # noqa: PLC0415

        return vllm.SamplingParams(temperature=0, max_tokens=max_tokens, guided_decoding=GuidedDecodingParams(json=schema))


class VllmInProcessClient(LlmClient):
    def __init__(self, settings: LlmSettings, *, model_dir: Path, batch_wait_s: float = 0.05, **engine_kwargs):
        vllm = _load_vllm()
        super().__init__(settings.model_copy(update={"base_url": f"vllm-inprocess://{model_dir}", "model": settings.model or model_dir.name}))
        self._vllm = vllm
        self._engine = vllm.LLM(model=str(model_dir), enable_prefix_caching=True, **engine_kwargs)
        self._queue: queue.Queue = queue.Queue()
        self._batch_wait_s = batch_wait_s
        self._batch_max = max(settings.concurrency, 1)
        self._closed = threading.Event()
        self._runner = threading.Thread(target=self._run_batches, name="vllm-batcher", daemon=True)
        self._runner.start()

    def model_name(self) -> str:
        return str(self.settings.model)

    def close(self) -> None:
        self._closed.set()
        self._runner.join(timeout=60)
        super().close()

    def _post(self, payload: dict, tokens: _Tokens) -> tuple[str, int]:
        done = threading.Event()
        slot: dict = {}
        self._queue.put((payload, slot, done))
        if not done.wait(self.settings.timeout_s):
            raise _Unavailable(f"vLLM in-process did not answer in {self.settings.timeout_s:.0f}s")
        if "error" in slot:
            raise _Unavailable(f"vLLM in-process failed: {slot['error']}")
        output = slot["output"]
        completion = output.outputs[0]
        used = tokens.record(len(output.prompt_token_ids or ()), len(completion.token_ids or ()),
                             cached=int(getattr(output, "num_cached_tokens", 0) or 0))
        self._count(payload, used=used)
        # A cut or empty reply raises _BadReply here, as over HTTP: asked once more, then needs_review.
        return checked_content(completion.text, completion.finish_reason), 1

    def _run_batches(self) -> None:
        while not self._closed.is_set():
            try:
                batch = [self._queue.get(timeout=0.5)]
            except queue.Empty:
                continue
            try:
                while len(batch) < self._batch_max:
                    batch.append(self._queue.get(timeout=self._batch_wait_s))
            except queue.Empty:
                pass
            conversations = [p["messages"] for p, _, _ in batch]
            params = [_sampling_params(self._vllm, p["max_tokens"], p["response_format"]["json_schema"]["schema"]) for p, _, _ in batch]
            try:
                outputs = self._engine.chat(conversations, params, use_tqdm=False)
                for (_, slot, _), out in zip(batch, outputs):
                    slot["output"] = out
            except Exception as exc:  # the whole batch failed: each request reports it (pending, asked again later)
                log.exception("vLLM batch of %d failed", len(batch))
                for _, slot, _ in batch:
                    slot["error"] = f"{type(exc).__name__}: {exc}"
            for _, _, done in batch:
                done.set()
