"""Kept for imports written before the split: the security and correctness rules' helpers
now live by subject (spans and variables in :mod:`slimage.dockerfile`; secrets,
sources, edits and checks in ``rules/_secrets.py``, ``_sources.py``, ``_edits.py``,
``_checks.py``). Import from those.
"""

from __future__ import annotations

from slimage.dockerfile.spans import _as_index as _as_index
from slimage.dockerfile.spans import as_keyword_span as as_keyword_span
from slimage.dockerfile.spans import command_span as command_span
from slimage.dockerfile.spans import keyword_span as keyword_span
from slimage.dockerfile.spans import line_break as line_break
from slimage.dockerfile.spans import rest_span as rest_span
from slimage.dockerfile.spans import span_at as span_at
from slimage.dockerfile.spans import stage_name_span as stage_name_span
from slimage.dockerfile.spans import stage_name_word as stage_name_word
from slimage.dockerfile.spans import word_span as word_span
from slimage.dockerfile.spans import words_with_spans as words_with_spans
from slimage.dockerfile.variables import _VARIABLE as _VARIABLE
from slimage.dockerfile.variables import AUTOMATIC_ARGS as AUTOMATIC_ARGS
from slimage.dockerfile.variables import KeyValue as KeyValue
from slimage.dockerfile.variables import has_variable as has_variable
from slimage.dockerfile.variables import key_values as key_values
from slimage.dockerfile.variables import variable_names as variable_names
from slimage.reference import ImageRef as ImageRef
from slimage.reference import parse_image_ref as parse_image_ref
from slimage.rules._checks import BUILDKIT_CHECKS as BUILDKIT_CHECKS
from slimage.rules._checks import close_matches as close_matches
from slimage.rules._checks import mentions as mentions
from slimage.rules._edits import keyword_edit as keyword_edit
from slimage.rules._edits import same_case as same_case
from slimage.rules._secrets import _NEEDLES as _NEEDLES
from slimage.rules._secrets import _NOT_SECRET_WORDS as _NOT_SECRET_WORDS
from slimage.rules._secrets import _SECRET_ANYWHERE as _SECRET_ANYWHERE
from slimage.rules._secrets import _SECRET_VALUES as _SECRET_VALUES
from slimage.rules._secrets import _SECRET_WORDS as _SECRET_WORDS
from slimage.rules._secrets import _URL_CREDENTIALS as _URL_CREDENTIALS
from slimage.rules._secrets import is_reference_only as is_reference_only
from slimage.rules._secrets import mask as mask
from slimage.rules._secrets import secret_name as secret_name
from slimage.rules._secrets import secret_value_kind as secret_value_kind
from slimage.rules._sources import _ARCHIVE_SUFFIXES as _ARCHIVE_SUFFIXES
from slimage.rules._sources import copy_sources as copy_sources
from slimage.rules._sources import is_archive_name as is_archive_name
from slimage.rules._sources import is_git_source as is_git_source
from slimage.rules._sources import is_url as is_url
from slimage.rules._sources import looks_like_image_ref as looks_like_image_ref
from slimage.rules._sources import looks_like_tar_archive as looks_like_tar_archive
