from pathlib import Path

from rule_helpers import findings, lines

from slimage.rules.sl2012_secret_file_copied import SecretFileCopied, secret_file_kind


def test_secret_files_fire_on_the_source() -> None:
    found = findings(SecretFileCopied, "FROM node:20\nCOPY package.json .npmrc /app/\n")
    assert [(f.location.line, f.location.column) for f in found] == [(2, 19)]
    assert "registry credentials" in found[0].message


def test_kinds() -> None:
    assert secret_file_kind("keys/id_rsa") == "an SSH private key"
    assert secret_file_kind("./.env") == "environment secrets"
    assert secret_file_kind(".env.production") == "environment secrets"
    assert secret_file_kind("certs/server.key") == "a private key"
    assert secret_file_kind("home/.aws/config") == "cloud credentials"
    assert secret_file_kind(".ssh/") == "SSH keys"


def test_templates_public_keys_and_other_stages_pass() -> None:
    text = (
        "FROM node:20 AS build\nCOPY .env.example id_rsa.pub ca.pem /app/\n"
        "FROM node:20\nCOPY --from=build /root/.npmrc /x\nCOPY . /app\n"
    )
    assert lines(SecretFileCopied, text) == []


def test_directory_copy_reports_unignored_keys_in_the_context(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print()\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "id_rsa").write_text("key\n")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "server.key").write_text("key\n")
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".env").write_text("A=1\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.key").write_text("key\n")
    text = "FROM python:3.12-slim\nCOPY . /app\n"
    found = findings(SecretFileCopied, text, context_dir=tmp_path)
    assert len(found) == 1
    assert ".aws/, certs/server.key, deploy/id_rsa" in found[0].message
    (tmp_path / ".dockerignore").write_text("**/*.key\n.aws\ndeploy\n")
    assert findings(SecretFileCopied, text, context_dir=tmp_path) == []
    # Without a context (linting text), the rule cannot look.
    assert lines(SecretFileCopied, text) == []
