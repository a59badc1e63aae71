from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile.spans import instruction_head_span
from slimage.reference import image_ref
from slimage.rules import _stacks
from slimage.rules.base import Rule, Violation
from slimage.units import human_bytes

if TYPE_CHECKING:
    from slimage.rules.catalog import ImageVariant
    from slimage.rules.context import LintContext

_KIND_LABEL = {
    "os-full": "a full OS image",
    "lang-full": "a full language image (compilers, headers, git included)",
    "sdk": "a build toolchain image",
}
# Same-family trims for a plain OS image whose stack slimage cannot tell.
_SAME_FAMILY_SLIM = {"debian/full": "debian/slim", "rockylinux/full": "rockylinux/minimal"}


class HeavyBaseImage(Rule):
    """
    What it does
    ------------
    Flags a runtime stage (the final stage, or `--target`) built on a full OS image
    (ubuntu, debian, centos, fedora, ...) or a full language or toolchain image
    (`node:20`, `python:3.12`, `golang`, `rust`, `maven`, `gradle`, a JDK), and names the
    smallest variant that fits the stack, with the expected saving from slimage's
    built-in catalog of official images.

    Alpine (musl) is only suggested when nothing visibly needs glibc: no native Node
    addons (bcrypt, sharp, better-sqlite3, canvas, node-gyp builds), no Python packages
    that may lack musllinux wheels, no apt/yum in the image. Otherwise the `slim`
    variant is suggested. Static binaries (Go with `CGO_ENABLED=0`) get distroless or
    scratch; Java gets a JRE.

    Why is this bad?
    ----------------
    The full images carry compilers, headers, documentation and hundreds of packages
    the application never uses: `node:20` is about 1.1 GB against 135 MB for
    `node:20-alpine`. Every extra megabyte is pulled on every deploy and scale-up, and
    every extra package is one more CVE for the scanners to report.

    Example
    -------
    ```dockerfile
    FROM node:20
    COPY . /app
    RUN npm ci --omit=dev
    CMD ["node", "server.js"]
    ```

    Use instead
    -----------
    ```dockerfile
    FROM node:20-alpine
    COPY . /app
    RUN npm ci --omit=dev
    CMD ["node", "server.js"]
    ```
    Savings are estimates from typical sizes of the official images (linux/amd64,
    uncompressed); the data file names its sources.
    """

    code: ClassVar[str] = "SL1001"
    name: ClassVar[str] = "heavy-base-image"
    title: ClassVar[str] = "Use a smaller base image for the runtime stage"

    def check(self, context: LintContext) -> Iterator[Violation]:
        catalog = context.catalog
        root, base = _stacks.root_base(context, context.runtime_stage)
        variant = catalog.lookup(base)
        if variant is None or not variant.heavy:
            return
        stack, evidence = _stacks.guess_stack(context, variant)
        guess = _stacks.glibc_needs(context, stack)
        suggestion = self._suggest(context, variant, guess)
        if suggestion is None:
            return
        suggested = suggested_reference(base, variant, suggestion)
        label = _KIND_LABEL.get(variant.kind, "a heavy image")
        why_not_alpine = (
            f" (not alpine: {guess.reason})" if guess.needs_glibc and guess.reason else ""
        )
        saving: int | None = variant.uncompressed_bytes - suggestion.uncompressed_bytes
        if stack is None:
            fits = "is a trimmed variant of the same distribution"
        else:
            fits = f"fits a {_stacks.STACK_LABEL.get(stack, stack)} app{why_not_alpine}"
        if evidence == "packages" and suggestion.family != variant.family:
            # The stack's runtime is installed on top of the OS: the image is the base plus
            # those packages, which the catalog cannot size. Report without a number.
            saving = None
            runtime = _stacks.STACK_LABEL.get(stack or "", stack)
            message = (
                f"the runtime image installs its {runtime} runtime "
                f"on `{base}`, {label}; `{suggested}` (about "
                f"{human_bytes(suggestion.uncompressed_bytes)}) ships it without the rest"
                f"{why_not_alpine}"
            )
        elif saving is None or saving <= 0:
            return
        else:
            message = (
                f"the runtime image starts from `{base}`, {label} of about "
                f"{human_bytes(variant.uncompressed_bytes)}; `{suggested}` "
                f"(about {human_bytes(suggestion.uncompressed_bytes)}) {fits}"
            )
        help_text = f"use `{suggested}`"
        if variant.kind == "sdk":
            help_text += " for the runtime stage and build in a separate stage"
        elif suggestion.kind in ("distroless", "scratch"):
            help_text += " (no shell there: use exec-form CMD/ENTRYPOINT)"
        yield Violation(
            message=message,
            span=instruction_head_span(context.dockerfile, root.from_instruction),
            help=help_text,
            bytes_saved=saving,
            bytes_estimated=True,
            extra={"suggested_image": suggested, "stack": stack or "unknown"},
        )

    @staticmethod
    def _suggest(
        context: LintContext, variant: ImageVariant, guess: _stacks.StackGuess
    ) -> ImageVariant | None:
        catalog = context.catalog
        if guess.stack is None:
            same = _SAME_FAMILY_SLIM.get(variant.id)
            return catalog.variant(same) if same else None
        return catalog.suggest(guess.stack, needs_glibc=guess.needs_glibc)


def suggested_reference(base: str, variant: ImageVariant, suggestion: ImageVariant) -> str:
    """The suggestion as a tag of the user's own version when the family is the same.

    ``node:18`` with ``node/alpine`` gives ``node:18-alpine``; ``eclipse-temurin:17-jdk``
    with a JRE gives ``eclipse-temurin:17-jre``. Other families get the catalog example.
    """
    example = suggestion.example
    if suggestion.family != variant.family or ":" not in example:
        return example
    ref = image_ref(base)
    version = (ref.tag or "").split("-", 1)[0]
    if not version or not version[0].isdigit() or "$" in base:
        return example
    example_tag = example.split(":", 1)[1]
    suffix = example_tag.split("-", 1)[1] if "-" in example_tag else ""
    if variant.family == "debian" or not suffix:
        return example
    name = base.split("@", 1)[0].rsplit(":", 1)[0]
    return f"{name}:{version}-{suffix}"
