"""explain() end to end on a real image: built by buildah on a Debian minbase, read by the
streaming pass, every cause checked against what the build did.

The build keeps apt's lists, installs a build tool (make) with apt, copies an app with a
.git directory and a .env secret, and runs a copied 500 kB program as its entry: a
"compiled binary" on a full base, so the base OS is a cause too.
"""

from __future__ import annotations

import random

import pytest

from slimage.analysis.result import AnalysisResult, analyze_image
from slimage.image.open import open_image
from support.buildah import BuildahSession
from support.buildah_fixtures import base_image, buildah_session  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_random = random.Random(7)
PACK = _random.randbytes(60_000)
ASSET = _random.randbytes(9_000)
SECRET = "DATABASE_PASSWORD=correct-horse-battery-staple\n"
FILES: dict[str, bytes | str] = {
    "app/.git/HEAD": "ref: refs/heads/main\n",
    "app/.git/objects/pack/pack-1.pack": PACK,
    "app/.env": SECRET,
    "app/static/logo.bin": ASSET,
    "app/static/copy-of-logo.bin": ASSET,
}
DOCKERFILE = """\
FROM {base}
RUN apt-get update
RUN apt-get install -y --no-install-recommends make
COPY app/ /app/
RUN cp /usr/bin/tar /usr/local/bin/server
WORKDIR /app
CMD ["/usr/local/bin/server", "--version"]
"""


@pytest.fixture(scope="module")
def result(buildah_session: BuildahSession) -> AnalysisResult:  # noqa: F811
    image = buildah_session.build_dockerfile(DOCKERFILE, FILES)
    return analyze_image(open_image(f"oci:{buildah_session.export_as(image, 'oci')}"))


def _bytes_under(result: AnalysisResult, prefix: str) -> int:
    return sum(r.size for p, r in result.layers.files.items() if p.startswith(prefix))


def test_every_byte_once(result: AnalysisResult) -> None:
    explanation = result.explanation
    assert explanation.total_bytes == result.layers.final_bytes
    assert explanation.explained_bytes + explanation.unexplained_bytes == explanation.total_bytes
    assert sum(f.bytes_saved or 0 for f in explanation.findings) == explanation.explained_bytes
    assert sum(explanation.classes.values()) == explanation.explained_bytes


def test_causes_match_the_build(result: AnalysisResult) -> None:
    findings = {f.name: f for f in result.explanation.findings}
    lists = _bytes_under(result, "var/lib/apt/lists/")
    assert lists > 1_000_000
    assert findings["apt-lists"].bytes_saved == lists
    assert findings["apt-lists"].code == "SL1009"
    assert "layer 2/5: `RUN apt-get update`" in findings["apt-lists"].help
    toolchain = findings["build-toolchain-packages"]
    assert "apt-get purge -y --auto-remove make" in toolchain.help
    assert "layer 3/5" in toolchain.help
    assert (toolchain.bytes_saved or 0) >= result.layers.files["usr/bin/make"].size
    assert findings["vcs-directory"].bytes_saved == len(PACK) + len("ref: refs/heads/main\n")
    secret = findings["secret-file"]
    assert secret.location.path == "/app/.env"
    assert secret.bytes_saved == len(SECRET)
    assert "correct-horse" not in secret.message
    assert "DATABASE_PASSWORD" in secret.message
    assert findings["duplicates"].bytes_saved == len(ASSET)


def test_base_os_around_a_binary(result: AnalysisResult) -> None:
    explanation = result.explanation
    heavy = next(f for f in explanation.findings if f.name == "heavy-base")
    assert heavy.code == "SL1001"
    assert "distroless/cc" in heavy.help
    # What stays: the program, the C runtime packages' files, CA bundle, accounts, assets.
    assert "usr/local/bin/server" in result.layers.files
    assert explanation.unexplained_bytes < 0.25 * explanation.total_bytes
    inventory = explanation.inventory
    assert inventory.os is not None and inventory.os.id == "debian"
    assert any(p.name == "make" for p in inventory.os_packages)
    assert inventory.runs_as_root
