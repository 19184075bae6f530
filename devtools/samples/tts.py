"""Synthesize utterances through the TTS environment's worker, with an on-disk cache.

The worker (tts_worker.py) runs under a separate python (TensorFlow 2.15 + numpy<2) and is
started once for all cache misses, so TensorFlow loads once per batch. Each utterance is cached
as ``<cache_dir>/<sha256 of text + voice parameters>.wav`` (24 kHz mono): a second run with
the same scripts starts no worker at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("tts_worker.py")
TTS_SAMPLE_RATE_HZ = 24_000
# Part of every cache key: bump when the worker's output for the same request changes.
CACHE_VERSION = 2


class TtsUnavailable(RuntimeError):
    """The TTS environment is missing or its worker failed."""


@dataclass(frozen=True)
class TtsRequest:
    text: str
    duration_scale: float = 1.0
    f0: float = 1.0
    energy: float = 1.0
    pause_s: float = 0.2

    def cache_key(self) -> str:
        payload = json.dumps({"v": CACHE_VERSION, **asdict(self)}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def synthesize_requests(
    requests: Sequence[TtsRequest], cache_dir: Path, tts_python: Path, progress: bool = True
) -> dict[TtsRequest, Path]:
    """Return a 24 kHz WAV path for every request, synthesizing only what the cache lacks."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = {req: cache_dir / f"{req.cache_key()}.wav" for req in dict.fromkeys(requests)}
    missing = [req for req, path in paths.items() if not path.is_file()]
    log.info("TTS: %d utterances, %d cached, %d to synthesize", len(paths), len(paths) - len(missing), len(missing))
    if missing:
        _run_worker(missing, paths, tts_python, progress)
    return paths


def _run_worker(missing: list[TtsRequest], paths: dict[TtsRequest, Path], tts_python: Path, progress: bool) -> None:
    python = Path(tts_python).absolute()  # not resolve(): a venv's python is a symlink that must stay one
    if not python.is_file():
        raise TtsUnavailable(f"TTS python not found at {python}: run ops/setup_tts.sh (or set samples.tts_python)")
    lines = [
        json.dumps({**asdict(req), "out": str(paths[req])}, ensure_ascii=False) + "\n" for req in missing
    ]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        proc = subprocess.Popen(
            [str(python), str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
        )
        # Feed requests from a thread so a full stdout pipe can never block both sides.
        feeder = threading.Thread(target=_feed, args=(proc, lines), daemon=True)
        feeder.start()
        done = 0
        assert proc.stdout is not None
        with tqdm(total=len(missing), desc="synthesizing", unit="utt", disable=not progress) as bar:
            for reply in proc.stdout:
                if reply.strip():
                    done += 1
                    bar.update(1)
        feeder.join()
        rc = proc.wait()
        if rc != 0 or done != len(missing):
            stderr.seek(0)
            tail = stderr.read()[-2000:]
            raise TtsUnavailable(f"TTS worker exited with {rc} after {done}/{len(missing)} utterances:\n{tail}")


def _feed(proc: subprocess.Popen, lines: list[str]) -> None:
    assert proc.stdin is not None
    try:
        for line in lines:
            proc.stdin.write(line)
        proc.stdin.close()
    except BrokenPipeError:
        # The worker died; its exit status and stderr tell why.
        pass
