"""The Dockerfile model: text in, a lossless BuildKit-exact model out.

``parse_dockerfile(text)`` is pure; ``read_dockerfile(path)`` reads a file. Instructions,
arguments and line numbers are what BuildKit's parser produces; every piece also keeps its
offsets in the source so fixes can edit the text.
"""

from slimage.dockerfile.dump import dump_buildkit
from slimage.dockerfile.model import Directive, Dockerfile, Flag, Heredoc, Instruction, Span
from slimage.dockerfile.parser import decode_dockerfile, parse_dockerfile, read_dockerfile

__all__ = [
    "Directive",
    "Dockerfile",
    "Flag",
    "Heredoc",
    "Instruction",
    "Span",
    "decode_dockerfile",
    "dump_buildkit",
    "parse_dockerfile",
    "read_dockerfile",
]
