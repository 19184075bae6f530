"""Scripted, synthesized 12345 sample calls with ground truth (demo and test data only; see README.md)."""
