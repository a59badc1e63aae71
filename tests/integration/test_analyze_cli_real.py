"""``slimage analyze`` on a real buildah-built image (issue 15): the runtime line, the
``--max-secrets`` gate, ``--select``/``--ignore`` and SARIF located in the Dockerfile."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from support.buildah import BuildahSession
from support.buildah_fixtures import base_image, buildah_session  # noqa: F401

pytestmark = [pytest.mark.integration]

SARIF_SCHEMA = Path(__file__).parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json"
KEY = (
    b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
    b"b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n"
    b"-----END OPENSSH PRIVATE KEY-----\n"
)
DOCKERFILE = """\
FROM {base}
WORKDIR /app
RUN mkdir -p /var/cache/apt/archives && \\
    head -c 3000000 /dev/urandom > /var/cache/apt/archives/tool_1.0_amd64.deb
COPY id_rsa /root/.ssh/id_rsa
COPY app.bin /app/app.bin
USER 1000
EXPOSE 8080
ENTRYPOINT ["/bin/sleep"]
CMD ["1"]
"""
RUN_LINE, COPY_KEY_LINE = 3, 5


@pytest.fixture(scope="module")
def built(buildah_session: BuildahSession, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    files = {"id_rsa": KEY, "app.bin": random.Random(15).randbytes(50_000)}
    image = buildah_session.build_dockerfile(DOCKERFILE, files)
    archive = buildah_session.export_as(image, "docker-archive")
    project = tmp_path_factory.mktemp("project")
    (project / "Dockerfile").write_text(DOCKERFILE.replace("{base}", buildah_session.base_image))
    (project / "image.tar").symlink_to(archive)
    return project


def slimage(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", "image.tar", *args],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=300,
        check=False,
    )


def test_text_report_shows_user_entry_point_and_ports(built: Path) -> None:
    done = slimage(built)
    assert done.returncode == 0, done.stderr
    assert 'runs as 1000 · entrypoint ["/bin/sleep"] · cmd ["1"] · ports 8080/tcp' in done.stdout


def test_max_secrets_gate(built: Path) -> None:
    failed = slimage(built, "--max-secrets", "0")
    assert failed.returncode == 1
    assert "FAIL --max-secrets: 1 (limit 0)" in failed.stdout
    assert slimage(built, "--max-secrets", "1").returncode == 0
    quiet = slimage(built, "--max-secrets", "0", "-q")
    assert (quiet.returncode, quiet.stdout) == (1, "FAIL --max-secrets: 1 (limit 0)\n")


def codes(done: subprocess.CompletedProcess[str]) -> set[str]:
    return {finding["code"] for finding in json.loads(done.stdout)["findings"]}


def test_select_and_ignore_findings(built: Path) -> None:
    everything = codes(slimage(built, "--format", "json"))
    assert {"SA102", "SA115"} <= everything
    ignored = slimage(built, "--format", "json", "--ignore", "SA115", "--max-secrets", "0")
    assert ignored.returncode == 0  # an ignored finding counts for no gate
    assert codes(ignored) == everything - {"SA115"}
    assert codes(slimage(built, "--format", "json", "--select", "SA102")) == {"SA102"}
    by_name = slimage(built, "--format", "json", "--select", "SA1", "--ignore", "secret-file")
    assert "SA115" not in codes(by_name) and "SA102" in codes(by_name)


def located_result(sarif: dict[str, Any], code: str, about: str = "") -> dict[str, Any]:
    """The ``physicalLocation`` of the ``code`` result whose message mentions ``about``."""
    for result in sarif["runs"][0]["results"]:
        if result["ruleId"] == code and about in result["message"]["text"]:
            physical: dict[str, Any] = result["locations"][0]["physicalLocation"]
            return physical
    raise AssertionError(f"no {code} result about {about!r} in {sarif['runs'][0]['results']}")


def test_sarif_points_at_the_dockerfile_line_that_made_the_layer(built: Path) -> None:
    plain = json.loads(slimage(built, "--format", "sarif").stdout)
    located = json.loads(slimage(built, "--format", "sarif", "-f", "Dockerfile").stdout)
    jsonschema.validate(located, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    # Without the Dockerfile: the image path, which code scanning cannot show.
    before = located_result(plain, "SA102")
    assert before["artifactLocation"]["uri"].startswith("file:///var/cache/")
    summary = [
        (r["ruleId"], r["locations"][0]["physicalLocation"], r["message"]["text"][:100])
        for r in located["runs"][0]["results"]
    ]
    # The 3 MB .deb makes the RUN layer the apt finding's main layer; the key is COPYed.
    for code, about, line in (("SA102", "", RUN_LINE), ("SA115", "id_rsa", COPY_KEY_LINE)):
        physical = located_result(located, code, about)
        assert physical["artifactLocation"]["uri"] == "Dockerfile", summary
        assert physical["region"]["startLine"] == line, summary
    key_messages = [
        r["message"]["text"] for r in located["runs"][0]["results"] if r["ruleId"] == "SA115"
    ]
    assert key_messages[0].endswith(" at /root/.ssh/id_rsa in the image"), key_messages
    # Every finding about a layer now points at a line of the Dockerfile (the base
    # image's layers at FROM, line 1).
    for code, physical, text in summary:
        if code != "SL2005":  # the config's Env has no layer
            assert physical["artifactLocation"]["uri"] == "Dockerfile", (code, text)
            assert 1 <= physical["region"]["startLine"] <= 6, (code, text)
