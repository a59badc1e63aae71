"""Write an SVG screenshot of ``slimage explore`` on an image, as docs/explore.svg shows.

Runs the explorer headless (Textual's ``run_test``), selects a layer, opens its biggest
directories and saves the screen. Needs the tui extra.

Usage: python explore_screenshot.py IMAGE OUTPUT.svg [--layer N] (--help for more)
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path


async def _shoot(image: str, output: Path, layer: int, depth: int) -> None:
    from slimage.api import analyze
    from slimage.explore.app import ExploreApp

    app = ExploreApp(analyze(image))
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        for _ in range(layer):  # the first row is the final filesystem
            await pilot.press("down")
        await pilot.press("tab", "tab")  # layers, findings, files
        for _ in range(depth):  # open the biggest directory, then its biggest
            await pilot.press("down", "enter")
        await pilot.pause()
        app.save_screenshot(filename=output.name, path=str(output.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image", metavar="IMAGE", help="any image slimage reads")
    parser.add_argument("output", metavar="OUTPUT.svg", type=Path)
    parser.add_argument("--layer", type=int, default=3, help="the layer to show (0: final)")
    parser.add_argument("--depth", type=int, default=3, help="directories to open")
    args = parser.parse_args()
    asyncio.run(_shoot(args.image, args.output.resolve(), args.layer, args.depth))
    print(args.output)


if __name__ == "__main__":
    main()
