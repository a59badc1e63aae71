"""Layers matched to the Dockerfile instructions that made them (for SARIF locations)."""

from __future__ import annotations

from slimage.analysis.dockerfile_steps import map_layers_to_instructions
from slimage.dockerfile.parser import parse_dockerfile

DOCKERFILE = """\
FROM golang:1.22 AS build
RUN go build -o /out/app .

FROM debian:bookworm-slim
ENV APP=1
WORKDIR /app
RUN apt-get update && \\
    apt-get install -y ca-certificates
COPY --from=build /out/app /app/app
RUN echo done
CMD ["/app/app"]
"""
BASE = [
    {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created_by": 'CMD ["bash"]', "empty_layer": True},
]


def lines(mapping: dict[int, object]) -> dict[int, int]:
    return {index: instruction.span.line for index, instruction in mapping.items()}  # type: ignore[attr-defined]


def test_buildkit_history() -> None:
    history = [
        *BASE,
        {"created_by": "ENV APP=1", "empty_layer": True},
        {"created_by": "WORKDIR /app"},
        {
            "created_by": "RUN /bin/sh -c apt-get update &&     "
            "apt-get install -y ca-certificates # buildkit"
        },
        {"created_by": "COPY /out/app /app/app # buildkit"},
        {"created_by": "RUN /bin/sh -c echo done # buildkit"},
        {"created_by": 'CMD ["/app/app"]', "empty_layer": True},
    ]
    dockerfile = parse_dockerfile(DOCKERFILE)
    assert lines(map_layers_to_instructions(dockerfile, history, 5)) == {
        0: 4,  # the base image's layer: its FROM
        1: 6,
        2: 7,
        3: 9,
        4: 10,
    }


def test_classic_builder_history_without_workdir_layer() -> None:
    history = [
        *BASE,
        {"created_by": "/bin/sh -c apt-get update &&     apt-get install -y ca-certificates"},
        {"created_by": "/bin/sh -c #(nop) COPY file:0123 in /app/app "},
        {"created_by": "/bin/sh -c echo done"},
    ]
    dockerfile = parse_dockerfile(DOCKERFILE)
    assert lines(map_layers_to_instructions(dockerfile, history, 4)) == {0: 4, 1: 7, 2: 9, 3: 10}


def test_no_history_or_another_dockerfile_maps_nothing() -> None:
    dockerfile = parse_dockerfile(DOCKERFILE)
    assert map_layers_to_instructions(dockerfile, [], 3) == {}
    other = [{"created_by": "/bin/sh -c #(nop) ADD file:abc in / "}, {"created_by": "VOLUME /x"}]
    assert map_layers_to_instructions(dockerfile, other, 2) == {}


def test_target_stage() -> None:
    history = [*BASE, {"created_by": "RUN /bin/sh -c go build -o /out/app . # buildkit"}]
    dockerfile = parse_dockerfile(DOCKERFILE)
    mapped = map_layers_to_instructions(dockerfile, history, 2, target="build")
    assert lines(mapped) == {0: 1, 1: 2}
