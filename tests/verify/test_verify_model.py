"""The parts of ``slimage verify`` that need no runtime: probe syntax, the metadata test,
structure-test files, ``--like`` comparisons and the text report."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.errors import ConfigError, UsageError
from slimage.report.verify_report import render_verify_text
from slimage.verify import Check, HttpProbe, VerifyReport, VerifySpec
from slimage.verify.run import compare_observations
from slimage.verify.structure import load_structure_tests, metadata_check


@pytest.mark.parametrize(
    ("text", "probe"),
    [
        (":8080/", HttpProbe(8080, "/", None)),
        (":8000/health=200", HttpProbe(8000, "/health", 200)),
        ("3000", HttpProbe(3000, "/", None)),
        (":80/a/b?x=1=204", HttpProbe(80, "/a/b?x=1", 204)),
    ],
)
def test_probe_syntax(text: str, probe: HttpProbe) -> None:
    assert HttpProbe.parse(text) == probe


@pytest.mark.parametrize("text", ["", ":http/", ":0/", ":70000/", ":80 /"])
def test_bad_probes_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--http"):
        HttpProbe.parse(text)


def test_bad_spec_values() -> None:
    with pytest.raises(UsageError, match="--expect-stdout"):
        VerifySpec(expect_stdout="(")
    with pytest.raises(UsageError, match="--timeout"):
        VerifySpec(timeout=0)


CONFIG = {
    "Env": ["PATH=/usr/local/bin:/usr/bin", "APP_ENV=production"],
    "Entrypoint": ["/app/server"],
    "Cmd": None,
    "ExposedPorts": {"8080/tcp": {}},
    "Volumes": {"/data": {}},
    "WorkingDir": "/app",
    "User": "65532",
    "Labels": {"org.opencontainers.image.version": "1.4.2"},
}


def test_a_metadata_test_that_holds() -> None:
    check = metadata_check(
        "app",
        CONFIG,
        {
            "envVars": [
                {"key": "APP_ENV", "value": "production"},
                {"key": "PATH", "value": "/usr/bin$", "isRegex": True},
            ],
            "unboundEnvVars": [{"key": "DEBUG"}],
            "labels": [
                {"key": "org.opencontainers.image.version", "value": r"^1\.4", "isRegex": True}
            ],
            "entrypoint": ["/app/server"],
            "cmd": [],
            "exposedPorts": ["8080"],
            "unexposedPorts": ["22"],
            "volumes": ["/data"],
            "unmountedVolumes": ["/tmp"],
            "workdir": "/app",
            "user": "65532",
        },
    )
    assert check.passed, check.reason


def test_a_metadata_test_lists_every_difference() -> None:
    check = metadata_check(
        "app",
        CONFIG,
        {
            "envVars": [{"key": "APP_ENV", "value": "dev"}, {"key": "HOME", "value": "/"}],
            "unboundEnvVars": [{"key": "PATH"}],
            "entrypoint": ["/bin/sh"],
            "exposedPorts": ["80"],
            "unexposedPorts": ["8080"],
            "user": "root",
        },
    )
    assert not check.passed
    assert check.reason == (
        "env APP_ENV='production', expected 'dev'; env HOME is not set; env PATH is set; "
        "entrypoint ['/app/server'], expected ['/bin/sh']; port 80 is not exposed; "
        "port 8080 is exposed; user '65532', expected 'root'"
    )


def test_structure_files(tmp_path: Path) -> None:
    good = tmp_path / "tests.yaml"
    good.write_text("schemaVersion: 2.0.0\ncommandTests: []\n")
    assert load_structure_tests(good)["schemaVersion"] == "2.0.0"
    as_json = tmp_path / "tests.json"
    as_json.write_text('{"schemaVersion": "2.0.0", "metadataTest": {"user": "app"}}')
    assert load_structure_tests(as_json)["metadataTest"] == {"user": "app"}
    old = tmp_path / "old.yaml"
    old.write_text("schemaVersion: 1.0.0\n")
    with pytest.raises(ConfigError, match=r"schemaVersion '1\.0\.0'"):
        load_structure_tests(old)
    broken = tmp_path / "broken.yaml"
    broken.write_text("schemaVersion: [2.0.0\n")
    with pytest.raises(ConfigError, match="not YAML"):
        load_structure_tests(broken)


def test_like_compares_status_then_body() -> None:
    def http(image: str, status: int, body: str) -> Check:
        return Check(image, "http", "GET :80/", True, "", observed=(status, body))

    same = compare_observations("a", "b", [http("a", 200, "hi")], [http("b", 200, "hi")])
    assert [(c.passed, c.reason) for c in same] == [(True, "same status 200 and output")]
    status = compare_observations("a", "b", [http("a", 500, "")], [http("b", 200, "hi")])
    assert status[0].reason == "status 500, the other gave 200"
    body = compare_observations("a", "b", [http("a", 200, "hi!")], [http("b", 200, "hi")])
    assert body[0].reason == "same status 200 but a different body (3 vs 2 characters)"


def test_the_text_report() -> None:
    report = VerifyReport(
        ["app:slim"],
        "podman",
        [
            Check("app:slim", "http", "GET :8000/=200", True, "status 200"),
            Check("app:slim", "cmd", "app --version", False, "exit status 127: \x1b[31mno"),
        ],
        12.34,
    )
    stream = io.StringIO()
    render_verify_text(report, stream)
    assert stream.getvalue() == (
        "PASS  GET :8000/=200: status 200\n"
        "FAIL  app --version: exit status 127: \\x1b[31mno\n"
        "\n"
        "app:slim: verify FAILED: 1 passed, 1 failed (podman, 12.3 s)\n"
    )


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "app", "--http", "8080:80"], "--http: '8080:80' is not :PORT/PATH"),
        (["verify", "app", "--format", "sarif"], "--format: 'sarif' is not one of text, json"),
        (["verify", "app", "--runtime", "lxc"], "--runtime: 'lxc' is not one of auto, podman"),
        (["verify", "app", "--timeout", "0"], "--timeout must be more than 0 seconds"),
        (["verify", "app", "--config", "/nonexistent/tests.yaml"], "no such file"),
    ],
)
def test_bad_verify_options_fail_before_anything_runs(args: list[str], message: str) -> None:
    done = run_cli(*args)
    assert done.returncode in (2, 3)
    assert done.stderr.startswith("slimage: error: ")
    assert message in done.stderr
    assert done.stdout == ""
