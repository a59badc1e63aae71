"""One fuzzing worker: runs cases sent as JSON lines on stdin, answers on its own pipe.

A case is ``{"target": ..., "args": [...]}``. ``cli`` targets run slimage's real entry
point (``slimage.cli.main``) in this process, with ``SLIMAGE_DEBUG=1`` so an internal error
leaves its traceback; ``diff`` compares slimage's parse with BuildKit's. The runner started
this process with a memory limit (``RLIMIT_AS``) and kills it when a case outlasts its time.
The answer gives the exit code, the crash site (innermost slimage frame) of an internal
error, the time, and the peak resident memory of the case (``VmHWM``, reset before each).
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

_FRAME = re.compile(r'File "([^"]*/slimage/[^"]*)", line (\d+), in (\S+)')
_LAST = re.compile(r"^slimage: internal error: (\w+)", re.MULTILINE)


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def _peak_bytes() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def crash_site(text: str) -> str:
    frames = _FRAME.findall(text)
    kind = _LAST.findall(text)
    if not frames:
        return f"{kind[-1] if kind else 'unknown'} (no slimage frame)"
    path, line, function = frames[-1]
    short = path.split("/slimage/", 1)[1]
    return f"{kind[-1] if kind else 'Exception'} at {short}:{line} in {function}"


def run_cli(args: list[str]) -> dict[str, Any]:
    from slimage.cli import main

    captured = io.StringIO()
    saved = sys.stderr
    sys.stderr = captured
    code = 0
    try:
        main(args)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException as error:  # main() must never let one through
        import traceback

        captured.write("".join(traceback.format_exception(error)))
        captured.write(f"slimage: internal error: {type(error).__name__} (escaped main)\n")
        code = 99
    finally:
        sys.stderr = saved
    text = captured.getvalue()
    result: dict[str, Any] = {"code": code}
    if code in (4, 99) or "Traceback" in text:
        result["site"] = crash_site(text)
        result["detail"] = text[-4000:]
    return result


def run_diff(args: list[str]) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dockerfile"))
    from _buildkit_oracle import oracle_rows, slimage_rows

    from slimage.dockerfile import parse_dockerfile
    from slimage.errors import SlimageError

    text = Path(args[0]).read_bytes().decode("utf-8", "surrogateescape")
    try:
        ours: Any = slimage_rows(parse_dockerfile(text))
    except SlimageError as error:
        ours = f"error: {type(error).__name__}"
    try:
        theirs: Any = oracle_rows(
            text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        )
    except Exception as error:  # the oracle's parse error
        theirs = f"error: {type(error).__name__}"
    if isinstance(ours, str) and isinstance(theirs, str):
        return {"code": 0, "diff": "both-error"}
    ours = _plain(ours)
    theirs = _plain(theirs)
    if ours == theirs:
        return {"code": 0, "diff": "agree"}
    return {
        "code": 0,
        "diff": "disagree",
        "detail": f"slimage={ours!r:.1500}\nbuildkit={theirs!r:.1500}",
    }


def _plain(value: Any) -> Any:
    """Bytes that are not UTF-8 compared as U+FFFD on both sides (Go prints them so)."""
    if isinstance(value, str):
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return value


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the worker
    os.environ["SLIMAGE_DEBUG"] = "1"
    os.environ["NO_COLOR"] = "1"
    for line in sys.stdin:
        case = json.loads(line)
        os.chdir(case.get("cwd") or "/")
        _reset_peak()
        start = time.perf_counter()
        cpu = time.process_time()
        try:
            run = run_diff if case["target"] == "diff" else run_cli
            result = run(case["args"])
        except MemoryError:
            result = {"code": 98, "site": "MemoryError in the worker"}
        except RecursionError:
            result = {"code": 98, "site": "RecursionError in the worker"}
        result["seconds"] = round(time.perf_counter() - start, 4)
        result["cpu"] = round(time.process_time() - cpu, 4)
        result["peak"] = _peak_bytes()
        answers.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
