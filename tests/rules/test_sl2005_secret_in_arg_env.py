from rule_helpers import findings, lines

from slimage.rules._secrets import secret_name
from slimage.rules.sl2005_secret_in_arg_env import SecretInArgEnv


def test_secret_names_fire() -> None:
    for text in (
        "ARG NPM_TOKEN",
        "ENV DB_PASSWORD=hunter22",
        "ENV AWS_SECRET_ACCESS_KEY x",
        "ARG API_KEY=abc",
        "ENV SECRET_KEY_BASE=abc",
    ):
        assert lines(SecretInArgEnv, f"FROM alpine:3.20\n{text}\n") == [2], text


def test_value_is_masked() -> None:
    found = findings(SecretInArgEnv, "FROM alpine:3.20\nENV DB_PASSWORD=hunter22secret\n")
    assert "hunter22secret" not in found[0].message
    assert "hunt****" in found[0].message
    assert "--mount=type=secret" in found[0].help


def test_known_credential_values_fire_whatever_the_name() -> None:
    text = "FROM alpine:3.20\nENV BOOT=AKIAIOSFODNN7EXAMPLE\n"
    found = findings(SecretInArgEnv, text)
    assert len(found) == 1 and "AWS access key" in found[0].message
    assert "AKIAIOSFODNN7EXAMPLE" not in found[0].message
    token = "ghp_" + "a1B2" * 9
    assert (
        "GitHub token" in findings(SecretInArgEnv, f"FROM alpine:3.20\nARG X={token}\n")[0].message
    )
    url = "FROM alpine:3.20\nENV DATABASE_URL=postgres://app:s3cret@db:5432/app\n"
    assert "password in a URL" in findings(SecretInArgEnv, url)[0].message


def test_span_points_at_the_key() -> None:
    found = findings(SecretInArgEnv, "FROM alpine:3.20\nENV A=1 GITHUB_TOKEN=x\n")
    assert (found[0].location.line, found[0].location.column) == (2, 9)


def test_public_keys_pointers_and_plain_names_pass() -> None:
    for text in (
        "ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D",
        "ENV POSTGRES_PASSWORD_FILE=/run/secrets/db",
        "ENV NODE_VERSION=20.1.0",
        "ARG PUBLIC_KEY=abc",
        "ENV TOKEN_URL=https://example.com/token",
        "ENV DB_PASSWORD=$DB_PASSWORD",
        "ENV PHP_INI_DIR /usr/local/etc/php",
    ):
        assert lines(SecretInArgEnv, f"FROM alpine:3.20\n{text}\n") == [], text
    assert not secret_name("KEYRING")
    assert secret_name("signing_key")


def test_switches_and_empty_values_pass() -> None:
    for text in (
        "ENV MYSQL_ALLOW_EMPTY_PASSWORD=yes",
        "ENV MYSQL_RANDOM_ROOT_PASSWORD=1",
        'ENV API_KEY=""',
    ):
        assert lines(SecretInArgEnv, f"FROM alpine:3.20\n{text}\n") == [], text
    assert lines(SecretInArgEnv, "FROM alpine:3.20\nARG API_KEY\n") == [2]
