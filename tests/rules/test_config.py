"""LintConfig: discovery, parsing, selection by code/prefix/name, per-file ignores."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.config import LintConfig, discover_config, find_config, load_config, parse_config
from slimage.errors import ConfigError
from slimage.findings import Severity


def test_defaults_select_every_rule() -> None:
    config = LintConfig()
    assert config.is_enabled("SL1003", "apt-lists-kept")
    assert config.fail_level is Severity.WARNING


def test_most_specific_selector_wins() -> None:
    config = parse_config({"select": ["SL1"], "ignore": ["SL1003"]})
    assert config.is_enabled("SL1001")
    assert not config.is_enabled("SL1003")
    assert not config.is_enabled("SL2001")
    narrower = parse_config({"select": ["SL1003"], "ignore": ["SL1"]})
    assert narrower.is_enabled("SL1003") and not narrower.is_enabled("SL1004")
    tie = parse_config({"select": ["SL1"], "ignore": ["sl1"]})
    assert not tie.is_enabled("SL1001")


def test_rule_names_and_extend_select() -> None:
    config = parse_config({"select": ["SL2"], "extend-select": ["apt-lists-kept"]})
    assert config.is_enabled("SL1003", "apt-lists-kept")
    assert not config.is_enabled("SL1004", "apk-no-cache")
    assert not parse_config({"ignore": ["apt-lists-kept"]}).is_enabled("SL1003", "apt-lists-kept")


def test_severity_overrides_by_code_and_prefix() -> None:
    config = parse_config({"severity": {"SL1": "info", "SL1003": "error"}})
    assert config.severity_for("SL1003", Severity.WARNING) is Severity.ERROR
    assert config.severity_for("SL1004", Severity.WARNING) is Severity.INFO
    assert config.severity_for("SL2001", Severity.WARNING) is Severity.WARNING


def test_per_file_ignores_relative_to_config(tmp_path: Path) -> None:
    source = tmp_path / ".slimage.toml"
    config = parse_config(
        {"per-file-ignores": {"docker/dev.Dockerfile": ["SL1"], "**/test/*": ["SL2001"]}},
        source=source,
    )
    dev = str(tmp_path / "docker" / "dev.Dockerfile")
    assert not config.is_enabled("SL1003", path=dev)
    assert config.is_enabled("SL2001", path=dev)
    assert not config.is_enabled("SL2001", path=str(tmp_path / "test" / "Dockerfile"))
    assert not config.is_enabled("SL2001", path=str(tmp_path / "a" / "test" / "Dockerfile"))
    assert config.is_enabled("SL1003", path=str(tmp_path / "Dockerfile"))


def test_cli_overrides() -> None:
    config = parse_config({"select": ["SL1"], "ignore": ["SL1003"], "fail-level": "error"})
    overridden = config.with_overrides(select=["SL2"], ignore=["SL2002"], fail_level=Severity.INFO)
    assert overridden.select == ("SL2",)
    assert overridden.ignore == ("SL1003", "SL2002")
    assert overridden.fail_level is Severity.INFO
    assert config.fail_level is Severity.ERROR  # frozen: the original is untouched


def test_discovery_walks_up_and_prefers_dotfile(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.slimage]\nignore = ["SL2"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no table: keep walking
    dockerfile = nested / "Dockerfile"
    dockerfile.write_text("FROM scratch\n")
    assert find_config(dockerfile) == (tmp_path / "pyproject.toml").resolve()
    assert discover_config(dockerfile).ignore == ("SL2",)
    (tmp_path / "a" / ".slimage.toml").write_text('ignore = ["SL1"]\n')
    assert discover_config(dockerfile).ignore == ("SL1",)
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.slimage]\nignore = ["SL3"]\n')
    assert discover_config(dockerfile).ignore == ("SL1",)  # .slimage.toml first


def test_no_config_gives_defaults(tmp_path: Path) -> None:
    config = discover_config(tmp_path)
    assert config.source is None or config.source.name in (".slimage.toml", "pyproject.toml")


def test_full_config_file(tmp_path: Path) -> None:
    path = tmp_path / ".slimage.toml"
    path.write_text(
        'select = ["SL1", "SL2001"]\n'
        'extend-select = ["SL3"]\n'
        'ignore = ["SL1007"]\n'
        'fail-level = "error"\n'
        'allowed-registries = ["registry.example.com"]\n'
        'allowed-base-images = ["python", "gcr.io/distroless/*"]\n'
        '[severity]\nSL1003 = "error"\n'
        '[per-file-ignores]\n"dev/*" = ["SL1"]\n'
    )
    config = load_config(path)
    assert config.select == ("SL1", "SL2001")
    assert config.extend_select == ("SL3",)
    assert config.fail_level is Severity.ERROR
    assert config.severity == {"SL1003": Severity.ERROR}
    assert config.per_file_ignores == {"dev/*": ("SL1",)}
    assert config.allowed_registries == ("registry.example.com",)
    assert config.allowed_base_images == ("python", "gcr.io/distroless/*")
    assert config.source == path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('selct = ["SL1"]\n', "selct: unknown key"),
        ('select = "SL1"\n', "select: expected a list of strings"),
        ('select = ["DL3008"]\n', "select:"),
        ('fail-level = "fatal"\n', "fail-level: unknown severity"),
        ("fail-level = 3\n", "fail-level: expected a string"),
        ('[severity]\nSL1003 = "loud"\n', "severity.SL1003: unknown severity"),
        ('severity = ["SL1003"]\n', "severity: expected a table"),
        ('[per-file-ignores]\n"x" = "SL1"\n', "per-file-ignores.x: expected a list"),
        ("select = [\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / ".slimage.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(path) in raised.value.message
    assert message in raised.value.message
    assert "\n" not in raised.value.message


def test_bad_pyproject_key_is_prefixed(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.slimage]\nignroe = ["SL1"]\n')
    with pytest.raises(ConfigError, match=r"tool\.slimage\.ignroe: unknown key"):
        load_config(path)
