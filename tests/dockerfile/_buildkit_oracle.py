"""Compare slimage's parse with BuildKit's Go parser through the PyPI package
``dockerfile`` (a test-only dependency wrapping ``moby/buildkit`` v0.12.5).

The package's ``Command`` gives cmd, sub_cmd (ONBUILD's trigger), json, start_line,
end_line, flags, value and heredocs; ENV/LABEL values come without the ``=``/``""``
marker node.
"""

from __future__ import annotations

from typing import Any

from slimage.dockerfile.model import Dockerfile, Instruction

Row = tuple[Any, ...]


def slimage_rows(df: Dockerfile) -> list[Row]:
    rows: list[Row] = []
    for instruction in df.instructions:
        node: Instruction = instruction
        sub_cmd = None
        if instruction.trigger is not None:
            node = instruction.trigger
            sub_cmd = node.keyword_raw
        values = list(node.args)
        if node.trigger is not None:
            values = [""]  # the binding shows a nested trigger as one empty value
        if node.keyword in ("ENV", "LABEL"):
            values = [value for index, value in enumerate(values) if index % 3 != 2]
        rows.append(
            (
                instruction.keyword_raw,
                sub_cmd,
                node.json,
                instruction.span.line,
                instruction.span.end_line,
                tuple(flag.raw for flag in instruction.flags),
                tuple(values),
                # The binding shows no heredocs on ONBUILD (their lines still count).
                ()
                if sub_cmd is not None
                else tuple((h.name, h.file_descriptor, h.content) for h in instruction.heredocs),
                # Node.Original; the binding's includes heredoc bodies, so only without them.
                None if instruction.heredocs and sub_cmd is None else instruction.original,
            )
        )
    return rows


def oracle_rows(text: str) -> list[Row]:
    import dockerfile

    return [
        (
            command.cmd or "",  # the binding turns an empty keyword into None
            command.sub_cmd,
            command.json,
            command.start_line,
            command.end_line,
            tuple(command.flags),
            tuple(command.value),
            tuple((h.name, h.file_descriptor, h.content) for h in command.heredocs),
            None if "\n" in (command.original or "") else (command.original or ""),
        )
        for command in dockerfile.parse_string(text)
    ]
