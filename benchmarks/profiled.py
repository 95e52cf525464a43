"""Run a service under pyinstrument and write where its time went when it stops:
`python -m benchmarks.profiled OUT.txt pesnet.notifications` (the benchmark's
`--profile DIR`). Wall-clock samples of the main thread, where the event loop runs:
what it did and how long it sat idle. Besides the text and HTML trees it keeps the
session (`OUT.pyisession`), which `summary` reads."""

from __future__ import annotations

import runpy
import signal
import sys
from pathlib import Path
from types import FrameType

from pyinstrument import Profiler
from pyinstrument.frame import Frame
from pyinstrument.session import Session


def main() -> None:
    out, module = Path(sys.argv[1]), sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    profiler = Profiler(interval=0.002, async_mode="disabled")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    profiler.start()
    try:
        runpy.run_module(module, run_name="__main__")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        session = profiler.stop()
        out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        out.with_suffix(".html").write_text(profiler.output_html())
        session.save(str(out.with_suffix(".pyisession")))


def _walk(frame: Frame) -> list[Frame]:
    found = [frame]
    for child in frame.children:
        found += _walk(child)
    return found


def busy_by_task(path: Path, top: int = 6) -> tuple[float, float, list[tuple[str, float]]]:
    """(seconds the event loop ran code, seconds it waited for I/O, the busiest tasks):
    each callback the loop ran, by the function at its root (a consumer's message, a
    background loop, an HTTP request)."""
    root = Session.load(str(path)).root_frame()
    if root is None:
        return 0.0, 0.0, []
    busy: dict[str, float] = {}
    idle = 0.0
    for frame in _walk(root):
        where = frame.file_path_short or ""
        if frame.function == "_run" and where.endswith("asyncio/events.py"):
            for child in frame.children:
                name = _task_name(child)
                busy[name] = busy.get(name, 0.0) + child.time
        elif frame.function.endswith("poll") and "<built-in>" in where:
            idle += frame.time
    total = sum(busy.values())
    return total, idle, sorted(busy.items(), key=lambda item: -item[1])[:top]


def _task_name(frame: Frame) -> str:
    """The first frame of our own code under a loop callback (else the callback), past
    the runtime's guard around background loops."""
    for candidate in _walk(frame):
        if "pesnet" in (candidate.file_path or "") and candidate.function != "_guard":
            owner = candidate.class_name
            return f"{owner}.{candidate.function}" if owner else candidate.function
    return frame.function


def summary(directory: Path) -> str:
    """A markdown table: per profiled process, how busy its event loop was and with what."""
    lines = [
        "| process | loop busy (s) | waiting (s) | where the busy time went (s) |",
        "|---|---|---|---|",
    ]
    for path in sorted(directory.glob("*.pyisession")):
        busy, idle, tasks = busy_by_task(path)
        where = ", ".join(f"{name} {seconds:.1f}" for name, seconds in tasks)
        lines.append(f"| {path.stem} | {busy:.1f} | {idle:.1f} | {where} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        print(summary(Path(sys.argv[2])))
    else:
        main()
