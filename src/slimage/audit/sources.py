"""Where a fleet's image references come from: a registry, a file, a directory, a cluster.

Each source yields :class:`Target` values (a reference any slimage command reads, and
where it was found); nothing is opened here. Registry listings follow the Registry v2
``/_catalog`` and ``tags/list`` APIs with their ``Link`` paging, authenticated as
``analyze`` is.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slimage.errors import InputError, InputNotFound, UsageError
from slimage.limits import loads_json, read_regular
from slimage.reference import Reference

if TYPE_CHECKING:  # httpx is imported only when a registry is listed
    from slimage.image.registry_client import RegistryClient, RegistrySession

PAGE_SIZE = 1000
LIST_THREADS = 8  # tag lists fetched at once
MAX_PAGES = 10_000  # a registry whose Link header never ends is not followed forever
MAX_LIST_BYTES = 64 << 20
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class Target:
    """One image to audit: the reference to open and where it was found."""

    reference: str
    origin: str  # "registry", "file", "dir", "kubernetes"
    repository: str = ""  # for per-repository tag filters


def dedupe(targets: Iterable[Target]) -> list[Target]:
    """Targets in first-seen order, each reference once."""
    seen: dict[str, Target] = {}
    for target in targets:
        seen.setdefault(target.reference, target)
    return list(seen.values())


# -- a file of references ---------------------------------------------------------------


def from_file(path: Path) -> list[Target]:
    """One reference a line; blank lines and ``#`` comments are skipped."""
    text = _read_text(path, "--images")
    targets = []
    for line in text.splitlines():
        reference = line.split("#", 1)[0].strip()
        if reference:
            targets.append(Target(reference, "file"))
    return dedupe(targets)


# -- a directory of archives and OCI layouts --------------------------------------------

_ARCHIVE_SUFFIXES = (".tar",)


def from_directory(directory: Path) -> list[Target]:
    """Every docker/oci archive (``*.tar``) and OCI layout (a folder with ``index.json``)
    directly in ``directory``, by name."""
    if not directory.is_dir():
        raise InputNotFound(f"{directory}: --dir is not a directory")
    targets = []
    for entry in sorted(directory.iterdir()):
        if entry.is_dir() and (entry / "index.json").is_file():
            targets.append(Target(str(entry), "dir", entry.name))
        elif entry.is_file() and entry.name.endswith(_ARCHIVE_SUFFIXES):
            targets.append(Target(str(entry), "dir", entry.name.removesuffix(".tar")))
    return targets


# -- Kubernetes ---------------------------------------------------------------------------


def from_pods_document(document: Any, label: str) -> list[Target]:
    """The images of every container and init container of a pod list (``kubectl get
    pods -A -o json``, or the API's PodList): pinned to the digest the node pulled when
    the pod status says it, once each."""
    if not isinstance(document, Mapping) or not isinstance(document.get("items"), list):
        raise InputError(f"{label}: not a pod list (expected an object with 'items')")
    targets = []
    for pod in document["items"]:
        if not isinstance(pod, Mapping):
            continue
        spec = _mapping(pod.get("spec"))
        status = _mapping(pod.get("status"))
        pulled = {}
        for key in ("containerStatuses", "initContainerStatuses"):
            for container in _list(status.get(key)):
                container = _mapping(container)
                name, image_id = container.get("name"), container.get("imageID")
                if isinstance(name, str) and isinstance(image_id, str):
                    pulled[name] = image_id
        for key in ("initContainers", "containers"):
            for container in _list(spec.get(key)):
                container = _mapping(container)
                image = container.get("image")
                if not isinstance(image, str) or not image:
                    continue
                pinned = _pinned(image, pulled.get(str(container.get("name"))))
                targets.append(Target(pinned, "kubernetes", _repository_of(image)))
    return dedupe(targets)


def from_pods_file(path: Path) -> list[Target]:
    data = read_regular(path, f"--kube-pods {path}", limit=MAX_LIST_FILE_BYTES)
    return from_pods_document(loads_json(data, str(path), limit=MAX_LIST_FILE_BYTES), str(path))


def from_cluster(context: str | None, namespace: str | None) -> list[Target]:
    """The pods' images through the official ``kubernetes`` client and the user's
    kubeconfig (``pip install 'slimage[kube]'``)."""
    try:
        from kubernetes import client, config
    except ImportError:
        raise UsageError(
            "--kube needs the kubernetes client: pip install 'slimage[kube]'"
        ) from None
    try:
        api_client = config.new_client_from_config(context=context)  # type: ignore[no-untyped-call]
    except Exception as error:  # the client raises its own ConfigException and OSErrors
        raise InputError(f"kubeconfig: {error}") from None
    api = client.CoreV1Api(api_client)
    try:
        if namespace:
            response = api.list_namespaced_pod(namespace, _preload_content=False)
        else:
            response = api.list_pod_for_all_namespaces(_preload_content=False)
        document = loads_json(response.data, "kubernetes API: pod list", limit=MAX_LIST_BYTES)  # type: ignore[attr-defined]
    except Exception as error:
        raise InputError(f"kubernetes API: {error}") from None
    finally:
        api_client.close()
    return from_pods_document(document, "kubernetes API")


def _pinned(image: str, image_id: str | None) -> str:
    """``app:1`` and a status ``imageID`` of ``docker-pullable://reg/app@sha256:..`` ->
    ``app:1@sha256:..``: the image the node runs, whatever the tag points at now."""
    if not image_id or "@" in image:
        return image
    digest = image_id.rpartition("@")[2]
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        return image
    return f"{image}@{digest}"


def _repository_of(image: str) -> str:
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


# -- a registry ---------------------------------------------------------------------------


def from_registry(
    location: str,
    *,
    insecure: bool = False,
    credentials: Any = None,
    tag_pattern: str | None = None,
    session: RegistrySession | None = None,
) -> list[Target]:
    """Every tag of every repository of ``HOST[/PREFIX]`` (the prefix is a path prefix
    of repository names), optionally only tags matching ``tag_pattern`` (a regex).
    ``session``: a :class:`~slimage.image.registry_client.RegistrySession` to list
    through (its connections and authorization serve the audit's later requests)."""
    host, _, prefix = location.partition("/")
    if not host:
        raise UsageError(f"{location!r}: expected REGISTRY[/PREFIX]")
    try:
        wanted = re.compile(tag_pattern) if tag_pattern else None
    except re.error as error:
        raise UsageError(f"--tags: {tag_pattern!r} is not a regular expression ({error})") from None
    from slimage.image.registry_client import RegistrySession

    if session is None:
        with contextlib.closing(RegistrySession()) as own:
            return _list_registry(host, prefix, wanted, insecure, credentials, own)
    return _list_registry(host, prefix, wanted, insecure, credentials, session)


def _list_registry(
    host: str,
    prefix: str,
    wanted: re.Pattern[str] | None,
    insecure: bool,
    credentials: Any,
    session: RegistrySession,
) -> list[Target]:
    if credentials is None:
        credentials = session.credentials(host)
    catalog = _client(host, prefix or "library", insecure, credentials, session)
    repositories = [
        name
        for name in _paged(catalog, "/_catalog")
        if not prefix or name == prefix or name.startswith(prefix.rstrip("/") + "/")
    ]

    def tags(repository: str) -> list[str]:
        return list(_paged(_client(host, repository, insecure, credentials, session), "tags/list"))

    # A request per repository that mostly waits on the network: a few at a time, in
    # the catalog's order (the first failure in that order is the one reported).
    with ThreadPoolExecutor(max_workers=LIST_THREADS) as pool:
        listed = list(pool.map(tags, repositories))
    return [
        Target(f"docker://{host}/{repository}:{tag}", "registry", repository)
        for repository, names in zip(repositories, listed, strict=True)
        for tag in names
        if wanted is None or wanted.fullmatch(tag)
    ]


def _client(
    host: str, repository: str, insecure: bool, credentials: Any, session: RegistrySession
) -> RegistryClient:
    from slimage.image.registry_client import RegistryClient

    return RegistryClient(
        Reference(registry=host, repository=repository),
        credentials=credentials,
        insecure=insecure,
        session=session,
    )


def _paged(client: RegistryClient, path: str) -> Iterator[str]:
    """The names of a catalog or tag list, page after page (``Link: <...>; rel="next"``)."""
    key = "repositories" if path == "/_catalog" else "tags"
    url = f"{path}?n={PAGE_SIZE}"
    try:
        for _ in range(MAX_PAGES):
            response = client.get(url)
            try:
                body = response.read()
                link = response.headers.get("link", "")
            finally:
                response.close()
            document = loads_json(body, f"{client.label}: the {key} list", limit=MAX_LIST_BYTES)
            for name in _list(_mapping(document).get(key)):
                if isinstance(name, str):
                    yield name
            match = _NEXT.search(link)
            if match is None:
                return
            url = _after_v2(match.group(1), client.reference.repository)
    finally:
        client.close()


def _after_v2(link: str, repository: str) -> str:
    """A Link target (``/v2/_catalog?last=x&n=2`` or absolute) as a client path."""
    path = re.sub(r"^[a-z]+://[^/]+", "", link)
    path = path.removeprefix("/v2")
    prefix = f"/{repository}/"
    return path[len(prefix) :] if path.startswith(prefix) else path


# -- helpers -------------------------------------------------------------------------------

MAX_LIST_FILE_BYTES = 64 << 20


def _read_text(path: Path, option: str) -> str:
    if not path.exists():
        raise InputNotFound(f"{path}: {option} file not found")
    data = read_regular(path, f"{option} {path}", limit=MAX_LIST_FILE_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{option} {path}: not UTF-8 ({error})") from None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
