"""Run a service under pyinstrument and write where its time went when it stops:
`python -m benchmarks.profiled OUT.txt pesnet.notifications` (the benchmark's
`--profile`). Wall-clock samples of the main thread, where the event loop runs: what
it did and how long it sat idle."""

from __future__ import annotations

import runpy
import signal
import sys
from pathlib import Path
from types import FrameType

from pyinstrument import Profiler


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
        profiler.stop()
        out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        out.with_suffix(".html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()
