"""``slimage audit``: every image a team ships, in one report.

``slimage audit [REGISTRY[/PREFIX]] [--images FILE] [--dir DIR] [--kube-pods FILE] ...``
audits and prints the report; ``slimage audit report`` renders a stored run again;
``slimage audit k8s-job`` prints the Kubernetes Indexed Job that runs it in shards.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import typer

from slimage.cli._app import SlimageGroup, SlimageTyper, app
from slimage.cli._image_options import INSECURE_REGISTRY_OPTION, NO_CACHE_OPTION
from slimage.errors import UsageError


class _AuditGroup(SlimageGroup):
    """``slimage audit LOCATION ...`` runs the ``scan`` command: a group whose first word
    is a subcommand only when it names one (``slimage audit --help`` is scan's help,
    which lists the subcommands)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args or args[0] not in self.commands:
            args = ["scan", *args]
        return super().parse_args(ctx, args)


audit_app = SlimageTyper(
    cls=_AuditGroup,
    help=(
        "Audit a fleet: every image of a registry, a list, a directory or a cluster, "
        "analysed once per image and reported together.\n\n"
        "Exit codes: 0 ok; 1 some images could not be audited; 2 usage; 3 bad input."
    ),
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)
app.add_typer(audit_app, name="audit")

FORMATS = ("text", "json", "markdown", "html")
_BANDWIDTH_UNITS = {"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9}


def parse_bandwidth(text: str) -> float:
    """``100Mbit`` -> 1e8 bits per second (``Mbit/s``, ``mbps`` also read)."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:bit|bps|b)?(?:/s)?\s*", text, re.I)
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(f"--bandwidth {text!r}: expected a rate such as 100Mbit or 1Gbit")
    return float(match.group(1)) * _BANDWIDTH_UNITS[(match.group(2).lower() or "") + "bit"]


STORE_OPTION = typer.Option(
    None,
    "--store",
    help="Where results live: sqlite:///PATH (default ~/.cache/slimage/audit.db) or "
    "postgresql://USER@HOST/DB (pip install 'slimage[postgres]').",
    show_default=False,
)


FORMAT_OPTION = typer.Option("text", "--format", help="text, json, markdown or html.")


OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", help="Write the report here instead of stdout.", show_default=False
)


BANDWIDTH_OPTION = typer.Option("100Mbit", "--bandwidth", help="A node's pull bandwidth.")


PRICE_OPTION = typer.Option(
    0.10, "--price-per-gb", min=0, help="Registry storage price per GB-month."
)


@audit_app.command("scan")
def scan_command(
    location: str | None = typer.Argument(
        None,
        help="A registry to list, REGISTRY[/PREFIX] (every repository under PREFIX).",
        show_default=False,
    ),
    images: Path | None = typer.Option(
        None, "--images", help="A file of image references, one a line.", show_default=False
    ),
    directory: Path | None = typer.Option(
        None, "--dir", help="A directory of image archives and OCI layouts.", show_default=False
    ),
    kube: bool = typer.Option(
        False, "--kube", help="The images of the pods in the current Kubernetes cluster."
    ),
    kube_pods: Path | None = typer.Option(
        None,
        "--kube-pods",
        help="A saved `kubectl get pods -A -o json` (air-gapped clusters).",
        show_default=False,
    ),
    context: str | None = typer.Option(
        None, "--context", help="The kubeconfig context (with --kube).", show_default=False
    ),
    namespace: str | None = typer.Option(
        None, "--namespace", help="Only this namespace (with --kube).", show_default=False
    ),
    tags: str | None = typer.Option(
        None, "--tags", help="Only tags matching this regex (registries).", show_default=False
    ),
    tags_per_repo: int | None = typer.Option(
        None,
        "--tags-per-repo",
        min=1,
        help="Only the N newest images of each repository (by the config's creation time).",
        show_default=False,
    ),
    store: str | None = STORE_OPTION,
    jobs: int = typer.Option(1, "--jobs", "-j", min=0, help="Processes (0: one per CPU)."),
    shard: str = typer.Option(
        "0/1", "--shard", help="Audit only shard I of N (I/N, from 0): for N machines."
    ),
    run: str | None = typer.Option(
        None,
        "--run",
        help="The run's name; shards of one audit share it (default: audit-TIMESTAMP).",
        show_default=False,
    ),
    output_format: str = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    bandwidth: str = BANDWIDTH_OPTION,
    price_per_gb: float = PRICE_OPTION,
    insecure_registry: bool = INSECURE_REGISTRY_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress on stderr."),
) -> None:
    """Audit every image of a registry, a list, a directory or a cluster: each image
    analysed once, reported per image, per base image and for the fleet.

    Also: `slimage audit report` renders a stored run again (shards merged);
    `slimage audit k8s-job` prints a Kubernetes Indexed Job running the audit in shards.

    Exit codes: 0 ok; 1 some images could not be audited; 2 usage; 3 bad input.
    """
    from slimage.audit import sources
    from slimage.audit.store import Store, default_url
    from slimage.audit.work import AuditOptions, Shard, cpu_jobs, default_run_name, run_audit

    _check_format(output_format)
    bits = parse_bandwidth(bandwidth)
    shard_spec = Shard.parse(shard)
    chosen = [x for x in (location, images, directory, kube_pods) if x is not None] + (
        [kube] if kube else []
    )
    if not chosen:
        raise UsageError(
            "name what to audit: REGISTRY[/PREFIX], --images, --dir, --kube or --kube-pods"
        )
    with contextlib.ExitStack() as stack:
        session = None
        if location is not None:
            from slimage.image.registry_client import RegistrySession

            # One session for the listing and the manifests after it: one connection
            # pool, one HTTPS probe and one authorization per registry for the audit.
            session = stack.enter_context(contextlib.closing(RegistrySession()))
        targets: list[sources.Target] = []
        scope: list[str] = []
        if location is not None:
            targets += sources.from_registry(
                location, insecure=insecure_registry, tag_pattern=tags, session=session
            )
            scope.append(location)
        if images is not None:
            targets += sources.from_file(images)
            scope.append(f"--images {images}")
        if directory is not None:
            targets += sources.from_directory(directory)
            scope.append(f"--dir {directory}")
        if kube_pods is not None:
            targets += sources.from_pods_file(kube_pods)
            scope.append(f"--kube-pods {kube_pods}")
        if kube:
            targets += sources.from_cluster(context, namespace)
            scope.append("--kube")
        targets = sources.dedupe(targets)
        opened = stack.enter_context(contextlib.closing(Store(store or default_url())))
        name = run or default_run_name()
        say = None if quiet or not sys.stderr.isatty() else _say
        outcome = run_audit(
            targets,
            opened,
            AuditOptions(
                run=name,
                scope=" ".join(scope),
                jobs=jobs or cpu_jobs(),
                shard=shard_spec,
                tags_per_repository=tags_per_repo,
                insecure_registry=insecure_registry,
                use_cache=not no_cache,
            ),
            progress=say,
            session=session,
        )
        _report(opened, name, output_format, output, bits, price_per_gb)
    if outcome.failed:
        sys.stderr.write(
            f"slimage: {outcome.failed} of {outcome.targets} images could not be audited\n"
        )
        raise typer.Exit(1)


@audit_app.command("report")
def report_command(
    store: str | None = STORE_OPTION,
    run: str | None = typer.Option(
        None, "--run", help="The run to show (default: the newest).", show_default=False
    ),
    output_format: str = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    bandwidth: str = BANDWIDTH_OPTION,
    price_per_gb: float = PRICE_OPTION,
) -> None:
    """Render a stored audit run again (all its shards merged)."""
    from slimage.audit.store import Store, default_url

    _check_format(output_format)
    bits = parse_bandwidth(bandwidth)
    opened = Store(store or default_url())
    try:
        failed = _report(opened, run, output_format, output, bits, price_per_gb)
    finally:
        opened.close()
    if failed:
        raise typer.Exit(1)


@audit_app.command("k8s-job")
def k8s_job_command(
    shards: int = typer.Option(..., "--shards", min=1, help="How many pods share the work."),
    image: str = typer.Option(..., "--image", help="The slimage image the pods run."),
    store_secret: str = typer.Option(
        "slimage-audit-store",
        "--store-secret",
        help="The Secret whose key `url` holds the postgresql:// store URL.",
    ),
    name: str = typer.Option("slimage-audit", "--name", help="The Job's name."),
    namespace: str | None = typer.Option(None, "--namespace", show_default=False),
    run: str | None = typer.Option(
        None, "--run", help="The run's name (default: audit-TIMESTAMP).", show_default=False
    ),
    parallelism: int | None = typer.Option(
        None, "--parallelism", min=1, help="Pods at once (default: all).", show_default=False
    ),
    audit_args: list[str] = typer.Argument(
        ...,
        help="What each pod audits, as for `slimage audit` (e.g. registry.example.com/team).",
    ),
) -> None:
    """Print a Kubernetes Indexed Job that audits in SHARDS pods writing to one store."""
    from slimage.audit.kube import job_manifest, render_yaml
    from slimage.audit.work import default_run_name

    document = job_manifest(
        name=name,
        image=image,
        shards=shards,
        store_secret=store_secret,
        audit_args=audit_args,
        run=run or default_run_name(),
        parallelism=parallelism,
        namespace=namespace,
    )
    sys.stdout.write(render_yaml(document))


def _check_format(output_format: str) -> None:
    if output_format not in FORMATS:
        raise UsageError(f"--format {output_format!r}: expected one of {', '.join(FORMATS)}")


def _report(
    store: Any, run: str | None, output_format: str, output: Path | None, bits: float, price: float
) -> bool:
    """Write the report of ``run``; True when it lists failures."""
    from slimage.audit.fleet import build_fleet

    fleet = build_fleet(store, run, bandwidth_bits=bits, price_per_gb=price)
    if output_format == "json":
        from slimage.report.audit_json import render_audit_json

        text = render_audit_json(fleet)
    elif output_format == "markdown":
        from slimage.report.audit_text import render_audit_markdown

        text = render_audit_markdown(fleet)
    elif output_format == "html":
        from slimage.report.audit_html import render_audit_html

        text = render_audit_html(fleet)
    else:
        from slimage.report.audit_text import render_audit_text

        text = render_audit_text(fleet)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text)
    return bool(fleet.failures)


def _say(message: str) -> None:
    sys.stderr.write(f"slimage: {message}\n")
    sys.stderr.flush()
