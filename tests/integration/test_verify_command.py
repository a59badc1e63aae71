"""``slimage verify`` against real podman: a good image passes; a broken one (entry point
missing, wrong port, crashing app) fails with the reason; a container-structure-test file
with each test kind; ``--like``; a timeout; and no container is left behind after a
failure or an interrupt. Every run is the real CLI in a subprocess."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

import slimage
from support.container_store import ContainerStore
from support.container_store_fixtures import APP_IMAGE, APP_PAGE

pytestmark = pytest.mark.integration

SLIMAGE = str(Path(sys.executable).with_name("slimage"))
SCHEMA = json.loads(
    (Path(slimage.__file__).parent / "report" / "schemas" / "verify-v1.schema.json").read_text()
)


def verify(store: ContainerStore, *args: str) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [SLIMAGE, "verify", *args, "--format", "json"],
        capture_output=True,
        text=True,
        env=dict(store.env),
        timeout=900,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    # Whatever the outcome, nothing of the run is left in the store.
    assert store.containers() == []
    return done.returncode, document


def by_name(document: dict[str, object]) -> dict[str, dict[str, object]]:
    checks = document["checks"]
    assert isinstance(checks, list)
    return {str(check["name"]): check for check in checks}


def derived(store: ContainerStore, app_image: str, name: str, lines: str) -> str:
    return store.build(f"localhost/prove/{name}:1", f"FROM {app_image}\n{lines}\n")


def test_a_good_image_from_an_archive_passes(
    container_store: ContainerStore, app_image: str, tmp_path: Path
) -> None:
    archive = tmp_path / "app.oci.tar"
    container_store.run("podman", "save", "--format", "oci-archive", "-o", str(archive), app_image)
    images_before = container_store.run("podman", "images", "-q", "--no-trunc")
    code, document = verify(
        container_store,
        str(archive),
        "--http",
        ":8000/=200",
        "--http",
        ":8000/missing=404",
        "--cmd",
        "cat /srv/index.html",
        "--cmd",
        "id -u",
        "--timeout",
        "120",
    )
    assert code == 0, document
    assert document["passed"] is True
    checks = by_name(document)
    assert checks["GET :8000/=200"]["reason"] == "status 200"
    assert checks["GET :8000/missing=404"]["reason"] == "status 404"
    assert checks["the entry point runs"]["reason"] == "running"
    assert checks["id -u"]["passed"] is True
    assert document["counts"] == {"passed": 5, "failed": 0}
    # The image loaded from the archive is removed again.
    assert container_store.run("podman", "images", "-q", "--no-trunc") == images_before


def test_an_entry_point_that_is_missing(container_store: ContainerStore, app_image: str) -> None:
    image = derived(container_store, app_image, "no-entrypoint", 'ENTRYPOINT ["/no/such/app"]')
    code, document = verify(container_store, image, "--http", ":8000/", "--timeout", "60")
    assert code == 1
    (check,) = document["checks"]  # type: ignore[misc]
    assert check["kind"] == "start"
    assert check["passed"] is False
    assert "/no/such/app" in check["reason"]


def test_a_wrong_port_times_out(container_store: ContainerStore, app_image: str) -> None:
    started = time.monotonic()
    code, document = verify(container_store, app_image, "--http", ":8001/", "--timeout", "6")
    assert code == 1
    check = by_name(document)["GET :8001/"]
    assert check["passed"] is False
    assert str(check["reason"]).startswith("no answer within the timeout")
    # The server itself is still fine.
    assert by_name(document)["the entry point runs"]["passed"] is True
    # --timeout counts from when the container runs: starting it is the rest.
    assert time.monotonic() - started < 6 + 240


def test_a_crashing_app_fails_with_its_exit_status_and_last_words(
    container_store: ContainerStore, app_image: str
) -> None:
    image = derived(
        container_store,
        app_image,
        "crashing",
        """CMD ["python3", "-c", "import sys; sys.exit('cannot bind: config missing')"]""",
    )
    code, document = verify(container_store, image, "--http", ":8000/", "--timeout", "60")
    assert code == 1
    check = by_name(document)["GET :8000/"]
    assert check["reason"] == ("the container exited with status 1: cannot bind: config missing")


def test_expect_stdout_and_a_command_after_the_entry_point_ended(
    container_store: ContainerStore, app_image: str
) -> None:
    image = derived(
        container_store, app_image, "one-shot", """CMD ["python3", "-c", "print('ready: 42')"]"""
    )
    code, document = verify(
        container_store,
        image,
        "--expect-stdout",
        r"ready: \d+",
        "--cmd",
        "python3 -c 'import sys; sys.exit(3)'",
        "--timeout",
        "60",
    )
    assert code == 1
    checks = by_name(document)
    assert checks[r"stdout matches ready: \d+"]["passed"] is True
    assert checks["the entry point runs"]["reason"] == "ran to completion (status 0)"
    command = checks["python3 -c 'import sys; sys.exit(3)'"]
    assert command["passed"] is False
    assert command["reason"] == "exit status 3"


STRUCTURE = """
schemaVersion: 2.0.0
globalEnvVars:
  - key: GREETING
    value: hello
commandTests:
  - name: python runs
    command: python3
    args: ["-c", "import os; print(os.environ['GREETING'], os.getuid())"]
    expectedOutput: ["^hello 1000$"]
    excludedError: ["Traceback"]
  - name: python is not 2
    command: python3
    args: ["--version"]
    expectedOutput: ["Python 2"]
fileExistenceTests:
  - name: the page
    path: /srv/index.html
    shouldExist: true
    permissions: "-rw-r--r--"
    uid: 0
    gid: 0
  - name: a shell through the /bin link
    path: /bin/sh
    shouldExist: true
    isExecutableBy: any
  - name: no compiler
    path: /usr/bin/gcc
    shouldExist: false
  - name: the page is executable
    path: /srv/index.html
    shouldExist: true
    isExecutableBy: owner
fileContentTests:
  - name: the page says hello
    path: /srv/index.html
    expectedContents: ["hello from slimage"]
    excludedContents: ["secret"]
  - name: the page is empty
    path: /srv/index.html
    expectedContents: ["^$"]
metadataTest:
  cmd: ["python3", "-m", "http.server", "8000"]
  exposedPorts: ["8000"]
  workdir: /srv
  user: "1000"
  envVars:
    - key: PATH
      value: /usr/bin
      isRegex: true
"""


def test_a_structure_test_file_with_each_kind(
    container_store: ContainerStore, app_image: str, tmp_path: Path
) -> None:
    config = tmp_path / "tests.yaml"
    config.write_text(STRUCTURE)
    code, document = verify(container_store, app_image, "--config", str(config))
    assert code == 1
    checks = by_name(document)
    assert {name: check["passed"] for name, check in checks.items()} == {
        "python runs": True,
        "python is not 2": False,
        "the page": True,
        "a shell through the /bin link": True,
        "no compiler": True,
        "the page is executable": False,
        "the page says hello": True,
        "the page is empty": False,
        "metadataTest": True,
    }
    assert checks["python is not 2"]["reason"] == "stdout does not match 'Python 2'"
    assert checks["the page is executable"]["reason"] == "not executable by owner (-rw-r--r--)"
    assert checks["the page is empty"]["reason"] == "content does not match '^$'"
    assert checks["the page"]["reason"] == "/srv/index.html -rw-r--r--"
    assert checks["the page says hello"]["reason"] == f"/srv/index.html ({len(APP_PAGE)} bytes)"
    # The file checks alone start no container (only create one): no entry point check.
    assert "the entry point runs" not in checks


def test_like_requires_the_same_status_and_body(
    container_store: ContainerStore, app_image: str
) -> None:
    other = container_store.build(
        "localhost/prove/other-page:1",
        f"FROM {app_image}\nUSER 0\nRUN echo changed > /srv/index.html\nUSER 1000\n",
    )
    code, document = verify(
        container_store, app_image, "--like", other, "--http", ":8000/", "--timeout", "120"
    )
    assert code == 1
    like = [check for check in document["checks"] if check["kind"] == "like"]  # type: ignore[union-attr]
    assert len(like) == 1
    assert like[0]["name"] == f"GET :8000/ like {other}"
    assert like[0]["reason"].startswith("same status 200 but a different body")
    assert document["images"] == [app_image, other]


def test_an_interrupt_removes_the_container(
    container_store: ContainerStore, app_image: str
) -> None:
    process = subprocess.Popen(
        [SLIMAGE, "verify", APP_IMAGE, "--http", ":8001/", "--timeout", "600"],
        env=dict(container_store.env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not container_store.containers():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the container never appeared"
            time.sleep(0.5)
        # Running and probing (the port never answers): now Ctrl-C.
        time.sleep(3)
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert container_store.containers() == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_buildah_runtime(
    container_store: ContainerStore, app_image: str, tmp_path: Path
) -> None:
    """buildah runs the entry point on the host's network: the app listens on a free port."""
    port = free_port()
    image = derived(
        container_store,
        app_image,
        f"buildah-app-{port}",
        f'CMD ["python3", "-m", "http.server", "--bind", "127.0.0.1", "{port}"]',
    )
    config = tmp_path / "tests.yaml"
    config.write_text(
        "schemaVersion: 2.0.0\n"
        "fileExistenceTests:\n"
        "  - {name: shell, path: /bin/sh, shouldExist: true, isExecutableBy: any}\n"
        "  - {name: escape, path: /../../etc/hostname-nope, shouldExist: false}\n"
        "fileContentTests:\n"
        "  - {name: page, path: /srv/index.html, expectedContents: [hello]}\n"
        "metadataTest:\n"
        "  user: '1000'\n"
    )
    code, document = verify(
        container_store,
        image,
        "--runtime",
        "buildah",
        "--http",
        f":{port}/=200",
        "--cmd",
        "id -u",
        "--config",
        str(config),
        "--timeout",
        "120",
    )
    assert document["runtime"] == "buildah"
    assert code == 0, document
    assert {name: check["reason"] for name, check in by_name(document).items()} == {
        f"GET :{port}/=200": "status 200",
        "the entry point runs": "running",
        "id -u": "exit status 0",
        "shell": "/bin/sh -rwxr-xr-x",
        "escape": "/../../etc/hostname-nope is absent",
        "page": f"/srv/index.html ({len(APP_PAGE)} bytes)",
        "metadataTest": "config as expected",
    }
    assert container_store.working_containers() == []
    with pytest.raises(OSError):  # the server is gone with its container
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_the_docker_runtime_through_the_engine_api(
    container_store: ContainerStore, app_image: str, docker_host: str
) -> None:
    """The docker CLI against podman's Docker-compatible service (no Docker here)."""
    env = {**container_store.env, "DOCKER_HOST": docker_host}
    done = subprocess.run(
        [SLIMAGE, "verify", app_image, "--runtime", "docker", "--http", ":8000/=200"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == "PASS  GET :8000/=200: status 200"
    assert re.search(r"verify passed: 2 passed, 0 failed \(docker, [\d.]+ s\)$", done.stdout)
    assert container_store.containers() == []
