"""``slimage audit`` on a directory of real image layouts, a reference file and pod lists."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

import slimage
from slimage.audit.sources import from_pods_document
from slimage.audit.work import Shard
from slimage.cli import main
from support.fleet import Service, services, write_layout

SCHEMA = json.loads(
    (Path(slimage.__file__).parent / "report" / "schemas" / "audit-v1.schema.json").read_text()
)


@dataclass
class Done:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    def invoke(*args: str) -> Done:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(["audit", *args])
        out, err = capsys.readouterr()
        return Done(int(exit_info.value.code or 0), out, err)

    return invoke


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def fleet_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "fleet"
    for service in services(9):
        write_layout(service, directory)
    return directory


def test_totals_are_the_sum_of_analysing_each_image(
    fleet_dir: Path, tmp_path: Path, run: Callable[..., Done]
) -> None:
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    done = run("--dir", str(fleet_dir), "--store", store, "--format", "json", "--run", "r1")
    assert done.code == 0, done.err
    document = json.loads(done.out)
    jsonschema.validate(document, SCHEMA)
    alone = [slimage.analyze(str(path)) for path in sorted(fleet_dir.iterdir())]
    totals = document["totals"]
    assert totals["images"] == totals["references"] == 9
    assert totals["content_bytes"] == sum(r.size_bytes for r in alone)
    assert totals["compressed_bytes"] == sum(r.layers.compressed_bytes for r in alone)
    assert totals["reclaimable_bytes"] == sum(r.waste_bytes for r in alone)
    unique = {layer.digest: layer.compressed_size for r in alone for layer in r.layers.layers}
    assert totals["stored_bytes"] == sum(unique.values())
    assert totals["stored_bytes"] < totals["compressed_bytes"]  # bases are shared
    # Per image: the same bytes and causes as `slimage analyze` gives.
    by_reference = {image["references"][0]: image for image in document["images"]}
    for path, result in zip(sorted(fleet_dir.iterdir()), alone, strict=True):
        image = by_reference[str(path)]
        assert image["content_bytes"] == result.size_bytes
        assert image["reclaimable_bytes"] == result.waste_bytes
    npm = by_reference[str(fleet_dir / "svc00")]
    assert any("npm" in cause or "cache" in cause for cause in npm["by_cause"])


def test_bases_are_found_from_shared_layers(
    fleet_dir: Path, tmp_path: Path, run: Callable[..., Done]
) -> None:
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    done = run("--dir", str(fleet_dir), "--store", store, "--format", "json")
    document = json.loads(done.out)
    bases = {base["layers"]: sorted(base["images"]) for base in document["bases"]}
    names = {svc.name: svc.base for svc in services(9)}
    expected = {
        3: sorted(str(fleet_dir / n) for n, b in names.items() if b == "node"),
        2: sorted(str(fleet_dir / n) for n, b in names.items() if b == "debian"),
        1: sorted(str(fleet_dir / n) for n, b in names.items() if b == "alpine"),
    }
    assert bases == expected
    assert document["totals"]["bases"] == 3
    sizes = {base["layers"]: base["compressed_bytes"] for base in document["bases"]}
    # The saving of one shared base: every distinct base but the most used one.
    most_used = document["bases"][0]["compressed_bytes"]
    assert document["totals"]["consolidation_saving_bytes"] == sum(sizes.values()) - most_used


def test_a_second_audit_reuses_the_store_and_reports_the_trend(
    fleet_dir: Path, tmp_path: Path, run: Callable[..., Done]
) -> None:
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    first = run("--dir", str(fleet_dir), "--store", store, "--run", "r1", "--format", "json")
    assert first.code == 0
    # One service grows: a new version with a bigger app layer.
    import shutil

    shutil.rmtree(fleet_dir / "svc04")
    write_layout(Service("svc04", "debian", version=2, npm_cache=True), fleet_dir)
    second = run("--dir", str(fleet_dir), "--store", store, "--run", "r2", "--format", "json")
    document = json.loads(second.out)
    assert document["previous_run"] == "r1"
    assert [change["reference"] for change in document["changes"]] == [str(fleet_dir / "svc04")]
    change = document["changes"][0]
    assert change["after_bytes"] - change["before_bytes"] == 25_000
    text = run("report", "--store", store, "--run", "r2")
    assert f"grew     {fleet_dir / 'svc04'}" in text.out
    markdown = run("report", "--store", store, "--format", "markdown")
    assert markdown.out.startswith("## slimage audit `r2`")
    assert "| image | size | pull | reclaimable | base | top finding |" in markdown.out


def test_shards_cover_the_fleet_exactly_once(
    fleet_dir: Path, tmp_path: Path, run: Callable[..., Done]
) -> None:
    whole = f"sqlite:///{tmp_path / 'whole.db'}"
    sharded = f"sqlite:///{tmp_path / 'sharded.db'}"
    single = json.loads(run("--dir", str(fleet_dir), "--store", whole, "--format", "json").out)
    for index in range(4):
        done = run(
            "--dir", str(fleet_dir), "--store", sharded, "--shard", f"{index}/4", "--run", "x",
            "--format", "json",
        )  # fmt: skip
        assert done.code == 0
    merged = json.loads(run("report", "--store", sharded, "--format", "json").out)
    assert merged["totals"] == single["totals"]
    assert merged["images"] == single["images"]
    owners = [
        [i for i in range(4) if Shard(i, 4).owns(image["image_id"])] for image in single["images"]
    ]
    assert all(len(owner) == 1 for owner in owners)
    assert len({owner[0] for owner in owners}) > 1  # the work really is spread


def test_failures_are_reported_per_image_and_the_rest_goes_on(
    fleet_dir: Path, tmp_path: Path, run: Callable[..., Done]
) -> None:
    broken = fleet_dir / "svc05" / "blobs" / "sha256"
    for blob in broken.iterdir():
        if blob.stat().st_size > 20_000:  # a layer, not the manifest or config
            blob.write_bytes(blob.read_bytes()[:-100])
    (fleet_dir / "notes.tar").write_bytes(b"not an image")
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    done = run("--dir", str(fleet_dir), "--store", store, "--format", "json")
    assert done.code == 1
    assert "2 of 10 images could not be audited" in done.err
    document = json.loads(done.out)
    failed = {failure["reference"] for failure in document["failures"]}
    assert failed == {str(fleet_dir / "svc05"), str(fleet_dir / "notes.tar")}
    assert document["totals"]["images"] == 8


def test_a_reference_file_and_usage_errors(tmp_path: Path, run: Callable[..., Done]) -> None:
    directory = tmp_path / "fleet"
    layout = write_layout(Service("one", "alpine"), directory)
    listing = tmp_path / "images.txt"
    listing.write_text(f"# the fleet\n{layout}\n\n{layout}  # twice\n")
    store = f"sqlite:///{tmp_path / 'audit.db'}"
    done = run("--images", str(listing), "--store", store, "--format", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["totals"]["references"] == 1
    assert run("--images", str(tmp_path / "missing.txt"), "--store", store).code == 3
    missing_source = run("--store", store)
    assert missing_source.code == 2 and "name what to audit" in missing_source.err
    assert run("--dir", str(directory), "--shard", "4/4", "--store", store).code == 2
    assert run("--dir", str(directory), "--bandwidth", "fast", "--store", store).code == 2
    assert run("report", "--store", f"sqlite:///{tmp_path / 'empty.db'}").code == 2


def test_pod_lists_give_pinned_unique_images() -> None:
    digest = "sha256:" + "ab" * 32
    document = {
        "items": [
            {
                "spec": {
                    "initContainers": [{"name": "migrate", "image": "reg.example/tools:1"}],
                    "containers": [
                        {"name": "web", "image": "reg.example/web:2"},
                        {"name": "sidecar", "image": "envoy@" + digest},
                    ],
                },
                "status": {
                    "containerStatuses": [
                        {"name": "web", "imageID": f"docker-pullable://reg.example/web@{digest}"}
                    ]
                },
            },
            {"spec": {"containers": [{"name": "web", "image": "reg.example/web:2"}]}},
        ]
    }
    targets = from_pods_document(document, "pods.json")
    assert [t.reference for t in targets] == [
        "reg.example/tools:1",
        f"reg.example/web:2@{digest}",
        "envoy@" + digest,
        "reg.example/web:2",
    ]
    assert {t.repository for t in targets} == {"reg.example/tools", "reg.example/web", "envoy"}


def test_the_k8s_job_is_valid_and_wired_to_shards(run: Callable[..., Done]) -> None:
    import kubernetes_validate
    import yaml

    done = run(
        "k8s-job", "--shards", "4", "--image", "ghcr.io/acme/slimage:1", "--run", "weekly",
        "registry.example.com/team",
    )  # fmt: skip
    assert done.code == 0, done.err
    manifest = yaml.safe_load(done.out)
    kubernetes_validate.validate(manifest, "1.30", strict=True)
    spec = manifest["spec"]
    assert spec["completionMode"] == "Indexed" and spec["completions"] == 4
    container = spec["template"]["spec"]["containers"][0]
    args = container["args"]
    assert args[:2] == ["audit", "registry.example.com/team"]
    assert args[args.index("--shard") + 1] == "$(JOB_COMPLETION_INDEX)/4"
    assert args[args.index("--run") + 1] == "weekly"
    assert args[args.index("--store") + 1] == "$(SLIMAGE_STORE)"
    env = {item["name"]: item for item in container["env"]}
    assert env["SLIMAGE_STORE"]["valueFrom"]["secretKeyRef"]["key"] == "url"


def test_the_live_cluster_path_reads_pods_through_the_kubernetes_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The official client, a kubeconfig and a real HTTP API server on loopback that
    answers with a recorded PodList."""
    import http.server
    import threading

    from slimage.audit.sources import from_cluster

    digest = "sha256:" + "cd" * 32
    recorded = {
        "kind": "PodList",
        "apiVersion": "v1",
        "items": [
            {
                "metadata": {"name": "web-1", "namespace": "shop"},
                "spec": {"containers": [{"name": "web", "image": "reg.example/web:3"}]},
                "status": {
                    "containerStatuses": [
                        {"name": "web", "imageID": f"reg.example/web@{digest}", "image": "x"}
                    ]
                },
            }
        ],
    }
    seen: list[str] = []

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = json.dumps(recorded).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": "test",
                            "cluster": {"server": f"http://127.0.0.1:{server.server_port}"},
                        }
                    ],
                    "users": [{"name": "me", "user": {"token": "t"}}],
                    "contexts": [{"name": "ctx", "context": {"cluster": "test", "user": "me"}}],
                    "current-context": "ctx",
                }
            )
        )
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
        everywhere = from_cluster("ctx", None)
        namespaced = from_cluster("ctx", "shop")
    finally:
        server.shutdown()
    assert [t.reference for t in everywhere] == [f"reg.example/web:3@{digest}"]
    assert namespaced == everywhere
    assert seen[0].startswith("/api/v1/pods")
    assert seen[1].startswith("/api/v1/namespaces/shop/pods")


def test_newest_images_per_repository(tmp_path: Path) -> None:
    from slimage.audit.fleet import build_fleet
    from slimage.audit.sources import Target
    from slimage.audit.store import Store
    from slimage.audit.work import AuditOptions, run_audit
    from support.images import make_layer, write_oci_layout

    targets = []
    for day in (2, 3, 1):
        layer = make_layer([("file", f"app/v{day}", b"x" * 100 * day)])
        layout = write_oci_layout(
            tmp_path / f"v{day}", [layer], created=f"2026-11-0{day}T00:00:00Z"
        )
        targets.append(Target(str(layout), "file", "team/app"))
    other = write_oci_layout(tmp_path / "other", [make_layer([("file", "x", b"y")])])
    targets.append(Target(str(other), "file", "team/other"))
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        run_audit(targets, store, AuditOptions(run="r", scope="test", tags_per_repository=2))
        fleet = build_fleet(store, "r", bandwidth_bits=1e8, price_per_gb=0.1)
    finally:
        store.close()
    kept = sorted(ref for image in fleet.images for ref in image.references)
    assert kept == sorted([str(tmp_path / "v3"), str(tmp_path / "v2"), str(other)])


@pytest.mark.parametrize("command", [[], ["report"], ["k8s-job"]])
def test_help_renders(command: list[str], run: Callable[..., Done]) -> None:
    done = run(*command, "--help")
    assert done.code == 0, done.err
    if not command:
        assert "REGISTRY[/PREFIX]" in done.out
        assert "slimage audit report" in done.out


def test_the_html_report_shows_the_json_numbers(
    fleet_dir: Path, tmp_path: Path, run: Callable[..., Done]
) -> None:
    import html.parser

    store = f"sqlite:///{tmp_path / 'audit.db'}"
    document = json.loads(run("--dir", str(fleet_dir), "--store", store, "--format", "json").out)
    page_file = tmp_path / "fleet.html"
    done = run("report", "--store", store, "--format", "html", "-o", str(page_file))
    assert done.code == 0 and done.out == ""
    page = page_file.read_text()

    class Numbers(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.keys: dict[str, int] = {}
            self.rows: dict[str, list[int]] = {}
            self.row: str | None = None
            self.external: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            for name in ("src", "href"):
                if (values.get(name) or "").startswith(("http:", "https:", "//")):
                    self.external.append(values[name] or "")
            if tag == "tr" and values.get("data-image-id"):
                self.row = values["data-image-id"]
                self.rows[self.row] = []
            if "data-bytes" in values:
                number = int(values["data-bytes"] or 0)
                if values.get("data-key"):
                    self.keys[values["data-key"] or ""] = number
                elif self.row is not None:
                    self.rows[self.row].append(number)

        def handle_endtag(self, tag: str) -> None:
            if tag == "tr":
                self.row = None

    numbers = Numbers()
    numbers.feed(page)
    totals = document["totals"]
    for key, value in numbers.keys.items():
        assert totals[key] == value, key
    assert set(numbers.keys) == {
        "content_bytes", "reclaimable_bytes", "stored_bytes", "compressed_bytes"
    }  # fmt: skip
    for image in document["images"]:
        assert numbers.rows[image["image_id"]] == [
            image["content_bytes"], image["compressed_bytes"], image["reclaimable_bytes"]
        ]  # fmt: skip
    assert numbers.external == []
    assert "<script" not in page  # the page needs no script; its CSP forbids one
