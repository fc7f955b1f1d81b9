"""Execution: run each chapter's cells in a fresh kernel, cache the notebook in `_freeze/`,
weave its outputs back into markdown."""
