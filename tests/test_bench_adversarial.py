"""bench.adversarial keeps issue 19 fixed: its quick catalogue (no ASR stage; every other kind of
hostile input, fewer of each) runs against the real broker and stage processes, the real dashboard
app and user store, and every failure count is 0. The full catalogue (`python -m bench.adversarial`,
about 100 s on 2 cores) adds real recordings through ingest and the ASR worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.adversarial import ZEROS

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_quick_catalogue_finds_nothing(tmp_path):
    out = subprocess.run([sys.executable, "-m", "bench.adversarial", "--quick", "--keep", str(tmp_path / "run")],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["failed"] == [], result["failed"]
    assert {k: result[k] for k in ZEROS} == dict.fromkeys(ZEROS, 0)
    assert out.returncode == 0, out.stderr[-2000:]
    # It did try: every kind of input, through a pipeline that accounted for every call.
    assert result["inputs_tried"] > 200
    assert result["reconcile"]["in"] > 50 and result["reconcile"]["stuck"] == 0
