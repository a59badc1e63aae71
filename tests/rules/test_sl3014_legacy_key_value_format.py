from rule_helpers import findings, fixed, lines

from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.shell_lex import ShellLex
from slimage.rules.sl3014_legacy_key_value_format import LegacyKeyValueFormat


def _env_values(text: str) -> list[tuple[str, str]]:
    lex = ShellLex()
    values = []
    for instruction in parse_dockerfile(text).instructions:
        if instruction.keyword in ("ENV", "LABEL"):
            args = instruction.args
            for i in range(0, len(args) - 2, 3):
                values.append((args[i], lex.process_word(args[i + 1], {})))
    return values


def test_single_line_legacy_env() -> None:
    text = "FROM php:8\nENV PHP_INI_DIR /usr/local/etc/php\n"
    assert lines(LegacyKeyValueFormat, text) == [2]
    assert fixed(LegacyKeyValueFormat, text) == "FROM php:8\nENV PHP_INI_DIR=/usr/local/etc/php\n"


def test_multi_line_continuation_keeps_the_value() -> None:
    # The docker-library/php shape that a published autofixer breaks.
    text = "FROM debian:12\nENV PHPIZE_DEPS \\\n\t\tautoconf \\\n\t\tdpkg-dev \\\n\t\tre2c\n"
    after = fixed(LegacyKeyValueFormat, text)
    assert after == ('FROM debian:12\nENV PHPIZE_DEPS="autoconf \\\n\t\tdpkg-dev \\\n\t\tre2c"\n')
    assert _env_values(after) == _env_values(text)


def test_values_with_variables_and_escaped_backslashes() -> None:
    text = "FROM a:1\nENV PATH $GOPATH/bin:$PATH\nENV GOPATH C:\\\\go\nLABEL maintainer me\n"
    after = fixed(LegacyKeyValueFormat, text)
    assert (
        after == "FROM a:1\nENV PATH=$GOPATH/bin:$PATH\nENV GOPATH=C:\\\\go\nLABEL maintainer=me\n"
    )
    assert _env_values(after) == _env_values(text)


def test_quotes_or_lone_escapes_get_no_fix() -> None:
    for value in ('"a b"', "it's", "a\\ b", "x \\y"):
        found = findings(LegacyKeyValueFormat, f"FROM a:1\nENV K {value}\n")
        assert len(found) == 1 and found[0].fix is None, value


def test_modern_form_passes() -> None:
    assert lines(LegacyKeyValueFormat, 'FROM a:1\nENV A=1 B="x y"\nLABEL a=b\nARG X 1\n') == []
