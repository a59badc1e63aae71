from __future__ import annotations

from slimage.analysis.secrets import mask, scan_env, scan_file

# AWS's documented example key pair (docs.aws.amazon.com, "Managing access keys").
AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_mask_never_shows_the_whole_value() -> None:
    assert mask(AWS_ID) == "AKIA************MPLE"
    assert mask("hunter2") == "********"
    assert mask("0123456789abcdef") == "0123********cdef"


def test_aws_credentials_file() -> None:
    text = f"[default]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n"
    hits = scan_file("root/.aws/credentials", text.encode())
    kinds = {hit.kind: hit for hit in hits}
    assert kinds["AWS access key id"].masked == "AKIA************MPLE"
    assert kinds["AWS access key id"].line == 2
    assert kinds["AWS secret access key"].masked.startswith("wJal")
    for hit in hits:
        assert AWS_SECRET not in hit.masked and AWS_ID not in hit.masked


def test_private_key_reported_by_header_only() -> None:
    key = (
        b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
        b"b3BlbnNzaC1rZXktdjEAAAAA\n"
        b"-----END OPENSSH PRIVATE KEY-----\n"
    )
    [hit] = scan_file("root/.ssh/id_ed25519", key)
    assert hit.kind == "OPENSSH private key"
    assert "b3BlbnNz" not in hit.masked
    [rsa] = scan_file("app/certs/server.key", b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n")
    assert rsa.kind == "RSA private key"


def test_dotenv_secret_names_and_placeholders() -> None:
    text = (
        "DEBUG=1\n"
        "DATABASE_PASSWORD=s3cr3t-passw0rd-value\n"
        "API_KEY=changeme\n"
        'export STRIPE_SECRET="sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n'
        "GITHUB_TOKEN=${GITHUB_TOKEN}\n"
    )
    hits = scan_file("app/.env", text.encode())
    assert [(h.kind, h.line) for h in hits] == [
        ("secret-looking DATABASE_PASSWORD", 2),
        ("Stripe key", 4),
    ]
    assert hits[1].masked == "sk_l" + "*" * 24 + "p7dc"


def test_env_file_without_recognised_values_is_still_reported() -> None:
    [hit] = scan_file("app/.env.production", b"HOST=db\nPORT=5432\n")
    assert hit.kind == "environment file"
    assert scan_file("app/.env", b"") == []


def test_tokens_in_npmrc_and_docker_config() -> None:
    npmrc = b"//npm.example.com/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n"
    kinds = {hit.kind for hit in scan_file("root/.npmrc", npmrc)}
    assert "npm token" in kinds
    config = b'{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNzd29yZA=="}}}'
    [hit] = scan_file("root/.docker/config.json", config)
    assert hit.kind == "registry credentials"
    assert hit.masked == "dXNl************ZA=="


def test_binary_files_are_skipped() -> None:
    assert scan_file("app/keystore.key", b"\x00\x01-----BEGIN PRIVATE KEY-----") == []


def test_config_env() -> None:
    hits = scan_env(
        ["PATH=/usr/bin", "API_TOKEN=changeme", "NPM_CONFIG_LOGLEVEL=warn", f"X={AWS_ID}"]
    )
    assert [(h.kind, h.masked) for h in hits] == [
        ("secret-looking API_TOKEN", "********"),
        ("AWS access key id", "AKIA************MPLE"),
    ]
    assert scan_env(["AUTHOR=jane", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"]) == []
