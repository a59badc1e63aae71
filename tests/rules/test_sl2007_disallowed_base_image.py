from rule_helpers import findings, lines

from slimage.config import LintConfig
from slimage.rules.sl2007_disallowed_base_image import DisallowedBaseImage

TEXT = "FROM node:20-slim AS web\nFROM gcr.io/distroless/nodejs20\nFROM web\n"


def test_silent_without_configuration() -> None:
    assert lines(DisallowedBaseImage, TEXT) == []


def test_allowed_registries() -> None:
    config = LintConfig(allowed_registries=("gcr.io",))
    found = findings(DisallowedBaseImage, TEXT, config=config)
    assert [f.location.line for f in found] == [1]
    assert "docker.io" in found[0].message
    config = LintConfig(allowed_registries=("docker.io", "*.io"))
    assert lines(DisallowedBaseImage, TEXT, config=config) == []


def test_allowed_base_images() -> None:
    config = LintConfig(allowed_base_images=("gcr.io/distroless/*",))
    assert lines(DisallowedBaseImage, TEXT, config=config) == [1]
    config = LintConfig(allowed_base_images=("node", "gcr.io/distroless/*"))
    assert lines(DisallowedBaseImage, TEXT, config=config) == []
    config = LintConfig(allowed_base_images=("node:20-*", "docker.io/library/node:18"))
    assert lines(DisallowedBaseImage, "FROM node:20-slim\nFROM node:18\n", config=config) == []
    assert lines(DisallowedBaseImage, "FROM scratch\n", config=config) == []
