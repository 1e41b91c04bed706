"""Deterministic text helpers (English and Chinese) used by the offline analyzer."""
