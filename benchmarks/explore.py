"""Benchmark ``slimage explore``'s load against ``slimage analyze`` on the same image.

The explorer runs the analysis (the only reading of the image), then builds its first
view and shows it. This measures, in one process, the analysis, then the app's start to
its first screen (headless, Textual's ``run_test``), then the views a user opens next:
a layer, waste only, a search. The image is benchmarks/analyze.py's synthetic one
(about 200k files, 2 GB) unless ``--image`` names another.

    python benchmarks/explore.py                # the 2 GB image
    python benchmarks/explore.py --scale 0.1    # a tenth of it
    python benchmarks/explore.py --image FILE
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 2 GB image")
    parser.add_argument("--image", type=Path, help="benchmark this image instead")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="slimage-bench-"))
    try:
        archive = args.image
        if archive is None:
            archive = workdir / "synthetic.tar"
            writer = Path(__file__).with_name("analyze.py")
            command = [sys.executable, str(writer), "--scale", str(args.scale)]
            command += ["--write-to", str(archive)]
            stats = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
            print(f"synthetic docker-archive: {stats['files']} files, {stats['bytes']} bytes")
        asyncio.run(_measure(str(archive)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def _measure(image: str) -> None:
    from textual.app import App

    from slimage.api import analyze
    from slimage.explore.app import ExploreApp

    started = time.perf_counter()
    async with App[None]().run_test(size=(160, 50)) as pilot:
        await pilot.pause()
    print(f"an empty Textual app:   {time.perf_counter() - started:7.2f} s (start and stop)")
    started = time.perf_counter()
    result = analyze(image)
    gc.freeze()  # as the command does: the result lives as long as the app
    analysed = time.perf_counter() - started
    print(f"analyze:               {analysed:7.2f} s  ({len(result.layers.files)} paths)")
    started = time.perf_counter()
    app = ExploreApp(result)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        shown = time.perf_counter() - started
        print(f"explore's first screen: {shown:7.2f} s after the analysis")
        print(f"load, explore/analyze:  {(analysed + shown) / analysed:7.2f}")
        for label, keys in (
            ("a layer's tree", ("down",)),
            ("waste only", ("w",)),
            ("a search", ("slash", *"node_modules", "enter")),
        ):
            started = time.perf_counter()
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            print(f"{label + ':':23}{time.perf_counter() - started:7.2f} s")


if __name__ == "__main__":
    main()
