from rule_helpers import findings, lines

from slimage.rules.sl3021_env_self_reference import EnvSelfReference


def test_reference_to_a_key_of_the_same_env_fires() -> None:
    found = findings(EnvSelfReference, "FROM a:1\nENV APP_HOME=/app APP_BIN=$APP_HOME/bin\n")
    assert [(f.location.line, f.location.column) for f in found] == [(2, 19)]


def test_extending_the_same_key_and_separate_envs_pass() -> None:
    text = "FROM a:1\nENV PATH=/x:$PATH\nENV A=1\nENV B=$A C=2\n"
    assert lines(EnvSelfReference, text) == []
