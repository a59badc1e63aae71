"""Run an image and check that it still does its job: :func:`verify_image`,
:func:`verify_like`.

The image starts with its own entry point and user (``podman run -d``), its ports
published on 127.0.0.1. ``--timeout`` counts from when the container runs and bounds
every check after it: HTTP probes retry until the answer comes or the time is up, and a
container that exits meanwhile fails them at once, with its exit status and last log line.
Whatever happens (a failed check, an error, Ctrl-C, SIGTERM) the containers this run made
are removed before the function returns or the exception goes on.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import shlex
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

from slimage.errors import ToolError
from slimage.report.safe_text import clean
from slimage.verify.model import Check, HttpProbe, VerifyReport, VerifySpec
from slimage.verify.runtime import ContainerRuntime, StartFailed, choose_runtime, last_line

# Without --http, how long an entry point gets to fail before it counts as started.
SETTLE_SECONDS = 3.0
BODY_LIMIT = 1 << 20  # bytes of an HTTP body kept for --like


def verify_image(image: str, spec: VerifySpec, runtime: str = "auto") -> VerifyReport:
    """Run ``spec``'s checks against ``image`` (any reference slimage reads)."""
    started = time.monotonic()
    engine = choose_runtime(runtime)
    with _runtime_cleaned(engine):
        checks = _verify_one(engine, image, spec)
    return VerifyReport([image], engine.name, checks, time.monotonic() - started)


def verify_like(image: str, other: str, spec: VerifySpec, runtime: str = "auto") -> VerifyReport:
    """``spec`` against both images, and the same HTTP status and body, the same command
    exit status and output, required of ``image`` as ``other`` gives (the rewrite's proof)."""
    started = time.monotonic()
    engine = choose_runtime(runtime)
    with _runtime_cleaned(engine):
        mine = _verify_one(engine, image, spec)
        theirs = _verify_one(engine, other, spec)
    checks = [*mine, *theirs, *compare_observations(image, other, mine, theirs)]
    return VerifyReport([image, other], engine.name, checks, time.monotonic() - started)


def compare_observations(
    image: str, other: str, mine: list[Check], theirs: list[Check]
) -> list[Check]:
    observed = {(check.kind, check.name): check.observed for check in theirs}
    result = []
    for check in mine:
        if check.kind not in ("http", "cmd"):
            continue
        expected = observed.get((check.kind, check.name))
        name = f"{check.name} like {other}"
        if check.observed is None or expected is None:
            result.append(Check(image, "like", name, False, "no answer from one of the images"))
            continue
        result.append(_same(image, name, check.kind, check.observed, expected))
    return result


def _same(
    image: str, name: str, kind: str, mine: tuple[int, str], theirs: tuple[int, str]
) -> Check:
    what = "status" if kind == "http" else "exit status"
    if mine[0] != theirs[0]:
        return Check(image, "like", name, False, f"{what} {mine[0]}, the other gave {theirs[0]}")
    if mine[1] != theirs[1]:
        return Check(
            image,
            "like",
            name,
            False,
            f"same {what} {mine[0]} but a different {'body' if kind == 'http' else 'output'} "
            f"({len(mine[1])} vs {len(theirs[1])} characters)",
        )
    return Check(image, "like", name, True, f"same {what} {mine[0]} and output")


def _verify_one(engine: ContainerRuntime, image: str, spec: VerifySpec) -> list[Check]:
    from slimage.verify.structure import run_structure_tests

    name = engine.load(image)
    checks: list[Check] = []
    wants_container = bool(spec.http or spec.commands or spec.expect_stdout) or (
        spec.structure_tests is None
    )
    if wants_container:
        checks += _run_container_checks(engine, image, name, spec)
    if spec.structure_tests is not None:
        checks += run_structure_tests(engine, image, name, spec.structure_tests, spec.timeout)
    return checks


def _run_container_checks(
    engine: ContainerRuntime, image: str, name: str, spec: VerifySpec
) -> list[Check]:
    try:
        container = engine.start(name, sorted({probe.port for probe in spec.http}))
    except StartFailed as error:
        return [Check(image, "start", "the image starts", False, clean(error.message))]
    deadline = time.monotonic() + spec.timeout
    checks = [_probe(engine, image, container, probe, deadline) for probe in spec.http]
    if spec.expect_stdout is not None:
        checks.append(_expect_stdout(engine, image, container, spec.expect_stdout, deadline))
    checks.append(_entrypoint(engine, image, container, bool(spec.http), deadline))
    for command in spec.commands:
        checks.append(_command(engine, image, name, container, command, deadline))
    return checks


def _probe(
    engine: ContainerRuntime, image: str, container: str, probe: HttpProbe, deadline: float
) -> Check:
    label = f"GET {probe}"
    try:
        port = engine.host_port(container, probe.port)
    except ToolError:
        # An exited container has no published port any more: that is the answer.
        state = engine.state(container)
        if state.running:
            raise
        return Check(image, "http", label, False, _exited(engine, container, state.exit_code))
    last_error = "no answer"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            reason = f"no answer within the timeout ({last_error})"
            if last_error == _UNREACHABLE:
                reason += f": {_UNREACHABLE_HINT}"
            return Check(image, "http", label, False, reason)
        state = engine.state(container)
        if not state.running:
            return Check(image, "http", label, False, _exited(engine, container, state.exit_code))
        try:
            status, body = _get(port, probe.path, min(remaining, 5.0))
        except _Unreachable:
            last_error = _UNREACHABLE
            continue
        except (OSError, http.client.HTTPException) as error:
            last_error = type(error).__name__
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0)))
            continue
        if probe.any_status:
            passed = True
        else:
            passed = 200 <= status < 400 if probe.status is None else status == probe.status
        expected = str(probe.status) if probe.status else "2xx or 3xx"
        reason = f"status {status}" + ("" if passed else f", expected {expected}")
        return Check(image, "http", label, passed, reason, observed=(status, body))


# A connection that is never accepted nor refused: the SYN went nowhere. A container whose
# app is still starting refuses at once; this is the runtime's network (seen with podman
# when a link-down CNI bridge's route shadows netavark's, both on 10.88.0.0/16).
_UNREACHABLE = "the published port never accepted a connection"
_UNREACHABLE_HINT = (
    "the runtime's port forwarding does not reach the container (check its network: "
    "`ip route` for two bridges on one subnet, a firewall)"
)


class _Unreachable(Exception):
    """Connecting to the published port timed out (neither accepted nor refused)."""


def _get(port: int, path: str, timeout: float) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        try:
            connection.connect()
        except TimeoutError:
            raise _Unreachable from None
        connection.request("GET", path, headers={"User-Agent": "slimage-verify"})
        response = connection.getresponse()
        body = response.read(BODY_LIMIT)
        return response.status, body.decode("utf-8", "replace")
    finally:
        connection.close()


def _exited(engine: ContainerRuntime, container: str, status: int) -> str:
    logs = engine.logs(container)
    said = last_line(logs) if (logs.stdout.strip() or logs.stderr.strip()) else "no output"
    return f"the container exited with status {status}: {clean(said)}"


def _expect_stdout(
    engine: ContainerRuntime, image: str, container: str, pattern: str, deadline: float
) -> Check:
    regex = re.compile(pattern)
    label = f"stdout matches {pattern}"
    while True:
        # The state first, then the logs: a process that prints and exits between the
        # two reads is then seen with all it printed (the other order missed it).
        running = engine.state(container).running
        logs = engine.logs(container)
        if regex.search(logs.stdout):
            return Check(image, "stdout", label, True, "matched")
        if not running or time.monotonic() >= deadline:
            said = last_line(logs) if logs.stdout.strip() else "nothing printed"
            why = "exited" if not running else "timed out"
            return Check(
                image, "stdout", label, False, f"no match ({why}; last line: {clean(said)})"
            )
        time.sleep(0.5)


def _entrypoint(
    engine: ContainerRuntime, image: str, container: str, serving: bool, deadline: float
) -> Check:
    """A server must still run after its probes; anything else may end, with status 0."""
    if not serving:
        settle = min(time.monotonic() + SETTLE_SECONDS, deadline)
        while time.monotonic() < settle and engine.state(container).running:
            time.sleep(0.3)
    state = engine.state(container)
    label = "the entry point runs"
    if state.running:
        return Check(image, "entrypoint", label, True, "running")
    if state.exit_code == 0 and not serving:
        return Check(image, "entrypoint", label, True, "ran to completion (status 0)")
    return Check(image, "entrypoint", label, False, _exited(engine, container, state.exit_code))


def _command(
    engine: ContainerRuntime, image: str, name: str, container: str, command: str, deadline: float
) -> Check:
    """``--cmd``: in the running container, or in a new one (the command replacing the
    entry point) when the image's own process has ended. Exit status 0 expected."""
    argv = shlex.split(command)
    remaining = max(deadline - time.monotonic(), 1.0)
    if engine.state(container).running:
        done = engine.exec(container, argv, timeout=remaining)
    else:
        done = engine.run_once(name, argv, entrypoint=True, timeout=remaining)
    passed = done.status == 0
    reason = f"exit status {done.status}"
    if not passed and (done.stderr.strip() or done.stdout.strip()):
        reason += f": {clean(last_line(done))}"
    return Check(image, "cmd", command, passed, reason, observed=(done.status, done.stdout))


@contextlib.contextmanager
def _runtime_cleaned(engine: ContainerRuntime) -> Iterator[None]:
    """Containers removed on every way out: SIGTERM is turned into KeyboardInterrupt (as
    SIGINT is) so the clean-up below runs, and a second Ctrl-C cannot cut it short."""
    with _terminate_as_interrupt():
        try:
            yield
        finally:
            with _interrupts_held():
                engine.cleanup()


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
