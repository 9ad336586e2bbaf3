"""Fixtures the engine tests share across files."""

from tests.engine.hf_world import trained, tws  # noqa: F401 (fixtures of the Hugging Face tests)
