"""pytest fixtures over :mod:`support.container_store`: one private store per session,
with the sample HTTP app built in it. Import the fixtures where they are used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.container_store import PYTHON_BASE, ContainerStore, docker_api, private_store

APP_IMAGE = "localhost/prove/app:1"
APP_PAGE = "<h1>hello from slimage verify</h1>\n"
# A real HTTP server (python3's http.server) as its own user, serving one page on 8000.
APP_DOCKERFILE = f"""FROM {PYTHON_BASE}
COPY index.html /srv/index.html
WORKDIR /srv
USER 1000
EXPOSE 8000
CMD ["python3", "-m", "http.server", "8000"]
"""


@pytest.fixture(scope="session")
def container_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContainerStore]:
    with private_store(tmp_path_factory.mktemp("containers")) as store:
        yield store


@pytest.fixture(scope="session")
def app_image(container_store: ContainerStore) -> str:
    return container_store.build(APP_IMAGE, APP_DOCKERFILE, {"index.html": APP_PAGE})


@pytest.fixture(scope="session")
def docker_host(container_store: ContainerStore) -> Iterator[str]:
    """DOCKER_HOST of podman's Docker-compatible API over the session's store."""
    with docker_api(container_store) as host:
        yield host
