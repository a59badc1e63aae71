from __future__ import annotations

from pathlib import Path

import pytest
from rule_helpers import findings, lines

from slimage.rules.sl1018_rust_not_stripped import RustNotStripped

RULE = RustNotStripped
RUNTIME = "FROM debian:12-slim\nCOPY --from=b /app/target/release/app /app\n"


def test_unstripped_release_build_fires() -> None:
    assert lines(RULE, "FROM rust:1.77 AS b\nRUN cargo build --release\n" + RUNTIME) == [2]
    install = "FROM rust:1.77 AS b\nRUN cargo install --path .\n"
    assert lines(
        RULE, install + "FROM debian:12-slim\nCOPY --from=b /usr/local/cargo/bin/app /\n"
    ) == [2]


@pytest.mark.parametrize(
    "build",
    [
        "RUN cargo build --release && strip target/release/app",
        'ENV RUSTFLAGS="-C strip=symbols"\nRUN cargo build --release',
        "ENV CARGO_PROFILE_RELEASE_STRIP=true\nRUN cargo build --release",
        "RUN CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release",
        "RUN cargo build --release --config profile.release.strip=true",
        "RUN cargo build",
    ],
)
def test_stripped_or_debug_builds_pass(build: str) -> None:
    assert findings(RULE, f"FROM rust:1.77 AS b\n{build}\n" + RUNTIME) == []


def test_strip_in_the_runtime_stage_counts() -> None:
    text = "FROM rust:1.77 AS b\nRUN cargo build --release\n" + RUNTIME + "RUN strip /app\n"
    assert findings(RULE, text) == []


def test_cargo_toml_profile_is_read_from_the_context(tmp_path: Path) -> None:
    text = "FROM rust:1.77 AS b\nRUN cargo build --release\n" + RUNTIME
    (tmp_path / "Cargo.toml").write_text(
        '[package]\nname = "app"\n[profile.release]\nstrip = true\n'
    )
    assert findings(RULE, text, context_dir=tmp_path) == []
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "app"\n')
    assert lines(RULE, text, context_dir=tmp_path) == [2]


def test_only_binaries_copied_into_the_image_count() -> None:
    build = "FROM rust:1.77 AS b\nWORKDIR /app\nRUN cargo build --release\n"
    assert findings(RULE, build + "FROM debian:12-slim\nCOPY --from=b /etc/x /etc/x\n") == []
    other_dir = "FROM rust:1.77 AS b\nWORKDIR /app\nRUN cargo build --release --target-dir /out\n"
    assert lines(RULE, other_dir + "FROM debian:12-slim\nCOPY --from=b /out/release/app /a\n") == [
        3
    ]
    installed = "FROM rust:1.77 AS b\nRUN cargo install ripgrep\n"
    assert lines(
        RULE, installed + "FROM debian:12-slim\nCOPY --from=b /usr/local/cargo/bin/rg /\n"
    ) == [2]
