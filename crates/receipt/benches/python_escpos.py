"""Renders a laid-out receipt to ESC/POS with python-escpos's Dummy printer and
prints the time per receipt. Input: the JSON layout the Rust bench writes
(`{"blocks": [...], "iterations": N}`). Used by benches/render.rs."""
import json
import sys
import time

from escpos.printer import Dummy


def render(blocks):
    p = Dummy()
    p.charcode("CP858")
    for block in blocks:
        kind = block["kind"]
        if kind == "line":
            p.set(
                align=block["align"],
                bold=block["bold"],
                double_height=block["tall"],
                normal_textsize=not block["tall"],
            )
            p.text(block["text"] + "\n")
        elif kind == "blank":
            p.text("\n")
        elif kind == "qr":
            p.set(align="center")
            p.qr(block["content"], native=True, size=6)
    p.cut()
    return p.output


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    blocks, n = spec["blocks"], spec["iterations"]
    out = render(blocks)
    start = time.perf_counter()
    cpu_start = time.thread_time()
    for _ in range(n):
        render(blocks)
    cpu = time.thread_time() - cpu_start
    elapsed = time.perf_counter() - start
    print(f"python-escpos-us-per-receipt {elapsed / n * 1e6:.1f}")
    print(f"python-escpos-cpu-us-per-receipt {cpu / n * 1e6:.1f}")
    print(f"python-escpos-bytes {len(out)}")


if __name__ == "__main__":
    main()
