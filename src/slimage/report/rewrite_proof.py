"""``rewrite --verify``'s proof, as text (after the rewrite report, on stderr) and as the
``proof`` member of the rewrite's JSON document (``schemas/rewrite-v1.schema.json``; its
``verify`` and ``diff`` members are the documents of ``slimage verify`` and ``slimage
diff``)."""

from __future__ import annotations

from typing import IO, Any

from slimage.report.diff_json import diff_document
from slimage.report.diff_text import render_diff_text, share
from slimage.report.safe_text import clean
from slimage.report.verify_report import render_verify_text, verify_document
from slimage.rewrite.prove import Proof
from slimage.units import human_bytes


def proof_document(proof: Proof) -> dict[str, Any]:
    return {
        "passed": proof.passed,
        "failure": proof.failure or None,
        "builds": [
            {
                "dockerfile": build.dockerfile,
                "tag": build.tag,
                "builder": build.builder or None,
                "seconds": round(build.seconds, 3),
                "error": build.error or None,
            }
            for build in proof.builds
        ],
        "probes": list(proof.probes),
        "probes_derived": proof.derived,
        "verify": verify_document(proof.verify) if proof.verify else None,
        "diff": diff_document(proof.diff) if proof.diff else None,
    }


def render_proof_text(proof: Proof, stream: IO[str], *, color: bool | None = None) -> None:
    stream.write("\nProof (rewrite --verify):\n")
    for build in proof.builds:
        if build.error:
            stream.write(f"  {build.dockerfile}: did not build: {clean(build.error)}\n")
        elif build.builder:
            stream.write(
                f"  {build.dockerfile}: built with {build.builder} in {build.seconds:.1f} s "
                f"as {clean(build.tag)}\n"
            )
    if proof.derived:
        stream.write(
            "  probes: GET / on each port the original exposes ("
            + ", ".join(proof.probes)
            + "), the same answer required; add --http :PORT/PATH for your own\n"
        )
    elif proof.verify is not None and not proof.probes:
        stream.write(
            "  probes: none (the original exposes no port): both images must start; "
            "add --http, --cmd or --expect-stdout to compare what they do\n"
        )
    if proof.verify is not None:
        stream.write("\n")
        render_verify_text(proof.verify, stream)
    if proof.diff is not None:
        stream.write("\n")
        render_diff_text(proof.diff, stream, color=color)
    stream.write("\n" + proof_verdict(proof) + "\n")


def proof_verdict(proof: Proof) -> str:
    if not proof.passed:
        return f"proof FAILED: {clean(proof.failure)}"
    assert proof.diff is not None
    before, delta = proof.diff.before.size_bytes, proof.diff.size_delta
    return (
        "proof passed: the rewrite answers like the original and is "
        f"{human_bytes(-delta)} smaller ({share(delta, before)}: "
        f"{human_bytes(before)} -> {human_bytes(proof.diff.after.size_bytes)})"
    )
