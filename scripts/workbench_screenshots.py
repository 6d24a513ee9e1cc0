"""Screenshots of the workbench's main pages for docs/workbench/ (run by hand).

    .venv/bin/python scripts/workbench_screenshots.py STUDY_DIR [--coder forsker1]

STUDY_DIR is a study that ``qualpipe run`` has processed (for the demo: a copy
made with ``pipeline.store.copy_study_inputs`` and run once). The script starts
the workbench on a free port, opens each page in Debian's chromium at
1280×800 and writes palette PNGs (small) to docs/workbench/. It codes nothing:
the queue is shown with ``?alle=1`` as a coder who has decided nothing there.
"""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from pipeline.serve import Server
from pipeline.settings import load_study

OUT = Path(__file__).resolve().parents[1] / "docs" / "workbench"
CHROMIUM = os.environ.get("QUALPIPE_CHROMIUM", "/usr/bin/chromium")


def save(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    image.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("study", type=Path)
    parser.add_argument("--coder", default="forsker1")
    parser.add_argument("--informant", default="2")
    args = parser.parse_args()
    server = Server(load_study(args.study), port=0).start()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(server.url)
            shots = [("studien", f"/koder?navn={args.coder}&neste=/", None),
                     ("transkripsjon", f"/informant/{args.informant}", ".seg.focus"),
                     ("enighet", "/enighet", None),
                     ("anonymisering", "/anonymisering", None),
                     ("kjoring", "/kjoring", None),
                     ("forslag", "/koder?navn=ny_koder&neste=/forslag?alle=1", ".item")]
            for name, path, ready in shots:
                page.goto(server.base_url + path)
                for _ in range(120):  # the queue is prepared in the background first
                    if not page.locator("#preparing").count():
                        break
                    page.wait_for_timeout(1000)
                    page.reload()
                if ready:
                    page.locator(ready).first.wait_for()
                if name == "transkripsjon":
                    for _ in range(6):
                        page.keyboard.press("ArrowDown")
                    page.keyboard.press("Shift+ArrowDown")
                page.wait_for_timeout(300)
                save(page.screenshot(), OUT / f"{name}.png")
                print(OUT / f"{name}.png")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
