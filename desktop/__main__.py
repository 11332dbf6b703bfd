"""python -m desktop [--self-test] [--model DIR]   (also the frozen app's entry point)."""

import time

STARTED = time.perf_counter()  # process start, as near as Python can see it; self-test times count from here

import sys  # noqa: E402


def run() -> int:
    from core.engine_process import ENGINE_FLAG

    if len(sys.argv) > 1 and sys.argv[1] == ENGINE_FLAG:  # the frozen app re-run as its engine process
        from core.engine_process import serve

        serve(sys.argv[2:])
        return 0
    from desktop.app import main

    return main(sys.argv[1:], STARTED)


if __name__ == "__main__":
    sys.exit(run())
