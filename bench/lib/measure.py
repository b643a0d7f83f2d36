#!/usr/bin/env python3
"""Run one command once and record its wall time or its peak memory.

    measure.py time OUT.jsonl WORKLOAD TOOL LOG [--env K=V]... -- COMMAND [ARGS...]
    measure.py rss  OUT.jsonl WORKLOAD TOOL LOG [--env K=V]... -- COMMAND [ARGS...]

Appends one JSON line to OUT.jsonl: workload, tool, exit code, and either the wall seconds
(`time`: spawn to exit, the command started directly, no shell) or the max RSS in KiB (`rss`:
the command run under `/usr/bin/time -f %M`). The two are separate runs on purpose: a process
started from Python inherits Python's memory high-water mark in `ru_maxrss` (about 10 MiB), so
peak memory is measured under GNU time, whose own footprint is about 1 MiB, and wall time
without it. The command's output goes to LOG. Exits with the command's exit code.
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def main(argv):
    if "--" not in argv or len(argv) < 6 or argv[0] not in ("time", "rss"):
        sys.exit(__doc__)
    split = argv.index("--")
    head, command = argv[:split], argv[split + 1:]
    mode, out, workload, tool, log = head[:5]
    env = dict(os.environ)
    rest = head[5:]
    while rest:
        if rest[0] != "--env" or len(rest) < 2:
            sys.exit(f"measure.py: unexpected {rest[0]}")
        key, _, val = rest[1].partition("=")
        env[key] = val
        rest = rest[2:]
    record = {"workload": workload, "tool": tool, "seconds": None, "maxrss_kb": None}
    rss_file = None
    if mode == "rss":
        fd, rss_file = tempfile.mkstemp(prefix="drydock-bench-rss.")
        os.close(fd)
        command = ["/usr/bin/time", "-f", "%M", "-o", rss_file, "--"] + command
    with open(log, "ab") as sink:
        sink.write(("$ " + " ".join(command) + "\n").encode())
        sink.flush()
        start = time.perf_counter_ns()
        try:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=sink,
                                     stderr=subprocess.STDOUT, env=env)
        except OSError as e:
            sink.write(f"cannot run {command[0]}: {e}\n".encode())
            rc = 127
        else:
            rc = child.wait()
        elapsed = time.perf_counter_ns() - start
    if mode == "time":
        record["seconds"] = elapsed / 1e9
    else:
        try:
            lines = open(rss_file).read().split()
            record["maxrss_kb"] = int(lines[-1]) if lines and lines[-1].isdigit() else None
        finally:
            os.unlink(rss_file)
    record["rc"] = rc
    with open(out, "a") as f:
        f.write(json.dumps(record) + "\n")
    return 0 if rc == 0 else (rc if rc > 0 else 128 - rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
