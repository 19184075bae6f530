"""Conversation metrics, computed where the turns are made: each transcript the ASR publishes carries
them (``TranscriptReady.metrics``), measured on its segments with ``asr.silence_threshold_s``.

The definition of talk time, silence, overlap and interruption is the kernel's
(hotline/conversation.py), so that the sink and the long-silence rule, which may not import a
stage, compute the same figures for a transcript that carries none.
"""

from __future__ import annotations

from hotline.conversation import INTERRUPTION_MIN_REST_S, measure_conversation

__all__ = ["INTERRUPTION_MIN_REST_S", "measure_conversation"]
