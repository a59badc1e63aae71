"""Read the two images of a diff at the same time: the after image in a forked process.

Each image's pass is Python walking tar headers on one core (its layer digests are
checked on another thread): two images read one after the other take twice as long as
one. On a machine with two cores or more, the after image is analysed by a forked child
while this process analyses the before image, and the child sends back its
:class:`~slimage.diff.side.Side` (plain values, pickled through a pipe), as ``slimage
lint`` does with its shares of files.

A fork is only made while this process runs a single thread (a thread holding a lock at
fork time would leave the child stuck on it); otherwise, or when the child fails for
another reason than the image (a bug: it is then met again here, with its traceback),
the images are read one after the other. An image the child cannot read ends the diff
with the child's one-line error and exit code, as if read here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from slimage.diff.side import Side, side_of
from slimage.errors import SlimageError

if TYPE_CHECKING:
    from slimage.api import AnalyzeOptions
    from slimage.diff.model import DiffOptions
    from slimage.image.model import Image


class ChildImageError(SlimageError):
    """An image the forked child could not read: its message and exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def can_fork(options: DiffOptions) -> bool:
    return (
        options.parallel
        and hasattr(os, "fork")
        and (os.cpu_count() or 1) >= 2
        and threading.active_count() == 1
    )


def open_reference(reference: str | Image, options: DiffOptions) -> Image:
    from slimage.api import open_image

    if not isinstance(reference, str):
        return reference
    return open_image(
        reference,
        platform=options.platform,
        insecure_registry=options.insecure_registry,
        credentials=options.credentials,
    )


def analyze_side(image: Image, analyze_options: AnalyzeOptions) -> Side:
    from slimage.api import analyze

    return side_of(analyze(image, analyze_options))


def read_sides(
    before: str | Image,
    after: str | Image,
    options: DiffOptions,
    analyze_options: AnalyzeOptions,
) -> tuple[tuple[Image, Side], tuple[Image, Side]]:
    """Both images opened and analysed, the after one in a child process when possible.

    The after image is opened here, before the fork: a daemon's or containers-storage's
    export is then spooled once, by this process, which removes it when it exits (the
    child leaves without clean-ups), and this process reads the same files afterwards
    when same-size pairs are compared.
    """
    if not can_fork(options):
        return _one_after_the_other(before, after, options, analyze_options)
    after_image = open_reference(after, options)
    if threading.active_count() != 1:  # opening it started a thread: no fork now
        return _one_after_the_other(before, after_image, options, analyze_options)
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: analyse, send, and leave without the parent's clean-ups
        os.close(read_end)
        status = 1
        try:
            payload: tuple[Any, ...]
            try:
                payload = ("side", analyze_side(after_image, analyze_options))
            except SlimageError as error:
                payload = ("error", error.message, error.exit_code)
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    reaped = False
    try:
        before_image = open_reference(before, options)
        before_side = analyze_side(before_image, analyze_options)
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:  # this side failed (or Ctrl-C): the child's work is not wanted
            with contextlib.suppress(OSError):  # already closed when reading failed
                os.close(read_end)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    received = pickle.loads(data) if status == 0 and data else None
    if received is None:
        return (before_image, before_side), (
            after_image,
            analyze_side(after_image, analyze_options),
        )
    if received[0] == "error":
        raise ChildImageError(received[1], received[2])
    return (before_image, before_side), (after_image, received[1])


def _one_after_the_other(
    before: str | Image,
    after: str | Image,
    options: DiffOptions,
    analyze_options: AnalyzeOptions,
) -> tuple[tuple[Image, Side], tuple[Image, Side]]:
    from slimage.api import start_digest_checks

    images = [open_reference(image, options) for image in (before, after)]
    # The after image's layer digests are checked on another thread while the before
    # image is read (local sources only; registries fetch as they are read).
    start_digest_checks(images[1])
    sides = [analyze_side(image, analyze_options) for image in images]
    return (images[0], sides[0]), (images[1], sides[1])
