"""Measure issue 4's yardstick: how much of the avoidable size the findings name.

For each stack (node, python, go, rust) this builds, with buildah on a Debian bookworm
minbase made by mmdebstrap, a *fat* image (the toolchain left in, apt caches kept, dev
dependencies installed) and a *hand-tuned* multi-stage equivalent whose runtime is only
the runtime's own package closure (``mmdebstrap --variant=extract``) or ``scratch``, plus
the app. Then it analyses both with slimage and prints:

- avoidable: final-filesystem bytes of the fat image minus those of the hand-tuned one;
- named: bytes the findings charge, minus those at paths the hand-tuned image also ships
  (``overclaim``: e.g. docs the extract variant keeps);
- named / avoidable: the measure (issue 4 asks 80-85 % for Node or Python, >99 % for Go
  or Rust).

    python benchmarks/explain_coverage.py                  # all four (20+ minutes)
    python benchmarks/explain_coverage.py --apps go        # one
    python benchmarks/explain_coverage.py --keep DIR       # reuse DIR between runs

Needs root, buildah, mmdebstrap, and network access to Debian, npm and PyPI.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
# The images are made as the integration tests make theirs.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from slimage.analysis.explain import claim_files, explain
from slimage.analysis.layers import analyze_layers
from slimage.filesystem import FileKind
from slimage.image.open import open_image
from support.buildah import Buildah, debian_rootfs

CERTS = "/etc/ssl/certs/ca-certificates.crt"

APPS: dict[str, dict[str, str]] = {
    "node": {
        "runtime": "nodejs",
        "package.json": """{
  "name": "fat-node-sample", "version": "1.0.0", "main": "server.js",
  "dependencies": { "express": "^4.19.2" },
  "devDependencies": { "eslint": "^8.57.0", "jest": "^29.7.0" }
}
""",
        "server.js": 'require("express")().get("/", (q, s) => s.send("hi")).listen(3000);\n',
        "test/server.test.js": 'require("node:test");\n',
        "Dockerfile": f"""FROM {{base}}
RUN apt-get update
RUN apt-get install -y nodejs npm build-essential git curl
COPY . /app
WORKDIR /app
RUN NODE_EXTRA_CA_CERTS={CERTS} npm install
EXPOSE 3000
CMD ["node", "server.js"]
""",
        "Dockerfile.ideal": f"""FROM {{fat}} AS build
RUN mkdir /out && cp package.json server.js /out/ && cd /out \\
 && NODE_EXTRA_CA_CERTS={CERTS} npm install --omit=dev --no-package-lock
FROM {{runtime}}
COPY --from=build /out /app
COPY --from=build {CERTS} /etc/ssl/certs/
WORKDIR /app
CMD ["node", "server.js"]
""",
    },
    "python": {
        "runtime": "python3",
        "app.py": "from flask import Flask\napp = Flask(__name__)\n",
        "requirements.txt": "flask\ngunicorn\n",
        "requirements-dev.txt": "pytest\nblack\nmypy\n",
        "Dockerfile": f"""FROM {{base}}
RUN apt-get update && apt-get install -y python3 python3-pip python3-dev build-essential git
COPY . /app
WORKDIR /app
RUN pip install --break-system-packages --cert {CERTS} -r requirements.txt \\
 -r requirements-dev.txt
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
""",
        "Dockerfile.ideal": f"""FROM {{fat}} AS build
RUN pip install --break-system-packages --cert {CERTS} --no-cache-dir --ignore-installed \\
 --prefix=/out -r requirements.txt
FROM {{runtime}}
COPY --from=build /out/local /usr/local
COPY --from=build /app/app.py /app/
COPY --from=build {CERTS} /etc/ssl/certs/
WORKDIR /app
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
""",
    },
    "go": {
        "runtime": "",
        "main.go": 'package main\n\nimport "net/http"\n\nfunc main() { _ = '
        'http.ListenAndServe(":8080", nil) }\n',
        "go.mod": "module example.com/server\n\ngo 1.19\n",
        "Dockerfile": """FROM {base}
RUN apt-get update && apt-get install -y golang-go git build-essential
COPY . /src
WORKDIR /src
RUN CGO_ENABLED=0 go build -o /usr/local/bin/server .
CMD ["/usr/local/bin/server"]
""",
        "Dockerfile.ideal": f"""FROM {{fat}} AS build
FROM scratch
COPY --from=build {CERTS} /etc/ssl/certs/
COPY --from=build /usr/local/bin/server /server
CMD ["/server"]
""",
    },
    "rust": {
        "runtime": "libc6,libgcc-s1",
        "Cargo.toml": '[package]\nname = "server"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/main.rs": 'fn main() { let _ = std::net::TcpListener::bind("0.0.0.0:8080"); }\n',
        "Dockerfile": """FROM {base}
RUN apt-get update && apt-get install -y rustc cargo git
COPY . /src
WORKDIR /src
RUN cargo build --release --offline
CMD ["/src/target/release/server"]
""",
        "Dockerfile.ideal": f"""FROM {{fat}} AS build
FROM {{runtime}}
COPY --from=build /src/target/release/server /server
COPY --from=build {CERTS} /etc/ssl/certs/
CMD ["/server"]
""",
    },
}


class Builder:
    """The images of one run, in a buildah store under the work directory."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.buildah = Buildah(work)

    def rootfs(self, name: str, variant: str, packages: str) -> str:
        """Import an mmdebstrap root filesystem as image ``localhost/<name>``."""
        image = f"localhost/{name}"
        if not self.buildah.exists(image):
            tarball = debian_rootfs(self.work / f"{name}.tar", packages.split(","), variant=variant)
            self.buildah.import_rootfs(tarball, image)
        return image

    def build(self, name: str, context: Path, dockerfile: str, **names: str) -> Path:
        archive = self.work / f"{name}.docker-archive.tar"
        if archive.exists():
            return archive
        (context / f"{name}.Dockerfile").write_text(dockerfile.format(**names))
        image = f"localhost/{name}"
        self.buildah.build(context, image, dockerfile=context / f"{name}.Dockerfile")
        return self.buildah.export(image, "docker-archive", archive)


def measure(fat: Path, ideal: Path) -> dict[str, float]:
    from slimage.analysis.explain import content_wanted

    fat_image = open_image(str(fat))
    started = time.perf_counter()
    fat_pass = analyze_layers(fat_image, content_wanted=content_wanted)
    seconds = time.perf_counter() - started
    ideal_files = analyze_layers(open_image(str(ideal)), content_wanted=content_wanted).files
    files = fat_pass.files
    result = explain(
        files,
        fat_pass.contents,
        fat_image.config,
        fat_image.history,
        [layer.content_bytes for layer in fat_pass.layers],
    )
    _, claims = claim_files(files, fat_pass.contents, fat_image.config)
    over: collections.Counter[str] = collections.Counter()
    for path, claim in claims.by_path.items():
        if path in ideal_files:
            over[claim.cause] += files[path].size
    ideal_bytes = sum(r.size for r in ideal_files.values() if r.kind is FileKind.FILE)
    avoidable = result.total_bytes - ideal_bytes
    named = result.explained_bytes - sum(over.values())
    print(f"  fat image (final filesystem)   {result.total_bytes / 1e6:9.1f} MB")
    print(f"  hand-tuned image               {ideal_bytes / 1e6:9.1f} MB")
    print(f"  avoidable                      {avoidable / 1e6:9.1f} MB")
    print(f"  explained (findings)           {result.explained_bytes / 1e6:9.1f} MB")
    print(f"  of which the hand-tuned ships  {sum(over.values()) / 1e6:9.1f} MB {dict(over)}")
    print(f"  named / avoidable              {named / avoidable:9.1%}")
    print(f"  streaming pass on the fat image: {seconds:.1f} s")
    for finding in result.findings[:12]:
        print(f"    {finding.code} {finding.name:28} {(finding.bytes_saved or 0) / 1e6:8.1f} MB")
    return {"avoidable": avoidable, "named": named}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", default="node,python,go,rust")
    parser.add_argument("--keep", type=Path, help="work directory to keep and reuse")
    options = parser.parse_args()
    work = options.keep or Path(tempfile.mkdtemp(prefix="slimage-coverage-", dir="/var/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    builder = Builder(work)
    base = builder.rootfs("coverage-base", "minbase", "ca-certificates")
    for app in options.apps.split(","):
        spec = APPS[app]
        context = work / f"context-{app}"
        for relative, text in spec.items():
            if relative in {"runtime", "Dockerfile", "Dockerfile.ideal"}:
                continue
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            (context / relative).write_text(text)
        if app == "node" and not (context / ".git").exists():
            subprocess.run(["git", "init", "-q", str(context)], check=True)
        runtime = "scratch"
        if spec["runtime"]:
            runtime = builder.rootfs(f"coverage-runtime-{app}", "extract", spec["runtime"])
        fat = builder.build(f"coverage-{app}-fat", context, spec["Dockerfile"], base=base)
        ideal = builder.build(
            f"coverage-{app}-ideal",
            context,
            spec["Dockerfile.ideal"],
            fat=f"localhost/coverage-{app}-fat",
            runtime=runtime,
        )
        print(f"{app}:")
        measure(fat, ideal)
    print(f"work directory: {work}")


if __name__ == "__main__":
    main()
