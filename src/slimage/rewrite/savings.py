"""The expected saving per cause, from the size model ``analyze`` and ``lint`` use: the
base-image catalog (``rules/data/base_images.toml``) and SL1003's typical toolchain sizes."""

from __future__ import annotations

from slimage.rewrite.detect import Base
from slimage.rewrite.facts import StageFacts
from slimage.rewrite.model import Saving
from slimage.rewrite.plan import Plan
from slimage.stacks.packages import package_base_name


def estimate(facts: StageFacts, base: Base, plan: Plan) -> list[Saving]:
    from slimage.rules.catalog import load_catalog
    from slimage.rules.sl1003_toolchain_in_runtime import TYPICAL_BYTES, is_toolchain_package

    catalog = load_catalog()
    savings: list[Saving] = []
    before = catalog.lookup(base.reference)
    after = catalog.lookup(plan.runtime_base)
    if before is not None and after is not None:
        savings.append(
            Saving(
                "base image",
                max(before.uncompressed_bytes - after.uncompressed_bytes, 0),
                f"{base.reference} ({before.kind}) -> {plan.runtime_base} ({after.kind})",
            )
        )
    else:
        savings.append(Saving("base image", None, f"{base.reference} -> {plan.runtime_base}"))
    tools: list[str] = []
    toolchain = 0
    for step in facts.steps:
        names = [package_base_name(p) for p in step.packages if is_toolchain_package(p)]
        if names:
            tools += names
            toolchain += max(TYPICAL_BYTES.get(n, 0) for n in names)
    if tools:
        shown = ", ".join(dict.fromkeys(tools))
        savings.append(Saving("build toolchain", toolchain or None, shown))
    installs = sorted({e for s in facts.steps for e in s.dependency_installs})
    if plan.stack in ("node", "python") and installs:
        savings.append(
            Saving(
                "dev dependencies and installers",
                None,
                f"{', '.join(installs)}: production install only",
            )
        )
    if plan.stack not in ("node", "python"):
        savings.append(Saving("sources and build intermediates", None, "only the artifacts ship"))
    return savings
