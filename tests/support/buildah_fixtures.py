"""pytest fixtures over :mod:`support.buildah`: one buildah store per test session with
the Debian minbase imported. Import both fixtures where they are used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.buildah import MINBASE_NAME, BuildahSession, minbase_rootfs
from support.tools import require_root, require_tool


@pytest.fixture(scope="session")
def buildah_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildahSession]:
    """A buildah store with the Debian minbase imported (see the module docstring)."""
    require_root()
    require_tool("buildah")
    require_tool("mmdebstrap")
    session = BuildahSession(tmp_path_factory.mktemp("buildah"))
    session.import_rootfs(
        minbase_rootfs(), MINBASE_NAME, cmd="/bin/bash", created_by="mmdebstrap minbase"
    )
    yield session
    session.close()


@pytest.fixture(scope="session")
def base_image(buildah_session: BuildahSession) -> str:
    """The name of the Debian bookworm minbase image in the session's store."""
    return buildah_session.base_image
