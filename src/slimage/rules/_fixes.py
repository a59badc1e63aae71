"""Kept for imports written before the split: the size rules' helpers now live by
subject (spans and raw words in :mod:`slimage.dockerfile`; edits, sources and stage
walking in ``rules/_edits.py``, ``_sources.py``, ``_stage_walk.py``). Import from those.
"""

from __future__ import annotations

from slimage.dockerfile.positions import span_at as span_at  # (source, start, end)
from slimage.dockerfile.raw_words import RawWord as RawWord
from slimage.dockerfile.raw_words import command_words as command_words
from slimage.dockerfile.raw_words import scan_words as scan_words
from slimage.dockerfile.spans import command_span as command_span
from slimage.dockerfile.spans import instruction_head_span as instruction_head_span
from slimage.rules._edits import _TRAILER as _TRAILER
from slimage.rules._edits import _append_to_heredoc as _append_to_heredoc
from slimage.rules._edits import append_to_run as append_to_run
from slimage.rules._edits import fix as fix
from slimage.rules._edits import insert_after_subcommand as insert_after_subcommand
from slimage.rules._sources import context_sources as context_sources
from slimage.rules._sources import is_whole_context as is_whole_context
from slimage.rules._sources import normalize_context_path as normalize_context_path
from slimage.rules._stage_walk import MEGABYTE as MEGABYTE
from slimage.rules._stage_walk import build_only_stages as build_only_stages
from slimage.rules._stage_walk import commands as commands
from slimage.rules._stage_walk import env_before as env_before
from slimage.rules._stage_walk import image_layer_stages as image_layer_stages
from slimage.rules._stage_walk import path_reaches_runtime as path_reaches_runtime
from slimage.rules._stage_walk import removes_path as removes_path
from slimage.rules._stage_walk import runs as runs
