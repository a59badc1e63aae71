"""How a probe tells a port nobody answers on from an app that is not up yet, on real
sockets: a refused connection (the app still starting) is retried quietly, a connection
that is never accepted nor refused (the runtime's forwarding goes nowhere) is named."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from slimage.verify.run import _get, _Unreachable


@pytest.fixture()
def full_backlog() -> Iterator[int]:
    """A listening port whose accept queue is full: the kernel drops further SYNs, so a
    new connection is neither accepted nor refused, as with a route to nowhere."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    queued = []
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        queued.append(client)
    yield port
    for client in queued:
        client.close()
    server.close()


def test_a_connection_never_accepted_is_unreachable(full_backlog: int) -> None:
    with pytest.raises(_Unreachable):
        _get(full_backlog, "/", 0.5)


def test_a_refused_connection_is_an_ordinary_error() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(ConnectionRefusedError):
        _get(port, "/", 0.5)
