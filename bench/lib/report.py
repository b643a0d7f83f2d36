#!/usr/bin/env python3
"""Turns what bench/run recorded into Markdown and writes it into bench/RESULTS.md.

    report.py write WORK RESULTS_FILE      render the blocks of this run, print them, and put them
                                           between the markers of RESULTS_FILE
    report.py criterion LOG CRATE BENCH    print one JSON event per Criterion benchmark in LOG

WORK holds:
    meta.json            machine facts, the command, the date, the peers' install status
    measurements.jsonl   one line per timed run (bench/lib/measure.py)
    events.jsonl         the layout: blocks, tables, rows, notes, failures, in order

Only the text between `<!-- bench/run:begin -->` and `<!-- bench/run:end -->` is touched (the
markers are appended at the end of the file when absent). Inside, each workload is a block
starting with `<!-- bench/run:block NAME -->`; a run replaces the blocks it measured and keeps
the others, each with the line saying when and how it was measured.
"""
import json
import os
import statistics
import sys

BEGIN = "<!-- bench/run:begin -->"
END = "<!-- bench/run:end -->"
BLOCK = "<!-- bench/run:block "
ORDER = ["deploy", "status", "dev", "diff", "introspect", "micro"]


def load_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt_time(seconds):
    ms = seconds * 1000
    if ms < 100:
        return f"{ms:.1f} ms"
    if ms < 10000:
        return f"{ms:,.0f} ms"
    return f"{seconds:.2f} s"


def fmt_rss(kb):
    return f"{kb / 1024:.1f} MiB"


def fmt_ns(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3), ("ns", 1)):
        if ns >= scale or unit == "ns":
            v = ns / scale
            return f"{v:.2f} {unit}" if v < 10 else f"{v:.1f} {unit}" if v < 100 else f"{v:.0f} {unit}"


def render_table(table, rows, runs, failures):
    """A table of tools: median, min, max, max RSS, and drydock's median over the row's."""
    out = [f"#### {table['title']}", ""]
    if table.get("text"):
        out += [table["text"], ""]
    stats = {}
    for row in rows:
        ok = [r for r in runs if r["workload"] == table["workload"] and r["tool"] == row["tool"]
              and r["rc"] == 0]
        times = [r["seconds"] for r in ok if r["seconds"] is not None]
        rss = [r["maxrss_kb"] for r in ok if r["maxrss_kb"] is not None]
        if times:
            stats[row["tool"]] = (statistics.median(times), min(times), max(times),
                                  max(rss) if rss else None, len(times))
    primary = stats.get("drydock")
    has_peers = table.get("ratio") != "no" and any(row["tool"] != "drydock" for row in rows)
    head = f"| {table.get('first', 'tool')} | median | min | max | max RSS |"
    rule = "| --- | ---: | ---: | ---: | ---: |"
    if has_peers:
        head += " drydock / this |"
        rule += " ---: |"
    out += [head, rule]
    for row in rows:
        label = row["label"]
        failure = failures.get((table["workload"], row["tool"]))
        if row["tool"] in stats and not failure:
            med, lo, hi, rss, _ = stats[row["tool"]]
            line = (f"| {label} | {fmt_time(med)} | {fmt_time(lo)} | {fmt_time(hi)} | "
                    f"{fmt_rss(rss) if rss is not None else 'n/a'} |")
            if has_peers:
                line += f" {primary[0] / med:.2f}x |" if primary else " n/a |"
        else:
            reason = failure or "no successful run"
            line = f"| {label} | {reason} | | | |" + (" |" if has_peers else "")
        out.append(line)
    counts = sorted({s[4] for s in stats.values()})
    if counts:
        out += ["", f"Timed runs per row: {', '.join(map(str, counts))}."]
    return out


def render_micro(table, rows):
    out = [f"#### {table['title']}", ""]
    if table.get("text"):
        out += [table["text"], ""]
    out += ["| benchmark | time (estimate) | 95% interval |", "| --- | ---: | ---: |"]
    for row in rows:
        out.append(f"| {row['label']} | {fmt_ns(row['est'])} | "
                   f"{fmt_ns(row['low'])} to {fmt_ns(row['high'])} |")
    return out


def render_blocks(work):
    meta = json.load(open(f"{work}/meta.json"))
    runs = load_jsonl(f"{work}/measurements.jsonl")
    events = load_jsonl(f"{work}/events.jsonl")
    failures = {}
    for e in events:
        if e["kind"] == "failed":
            failures.setdefault((e["workload"], e["tool"]), e["reason"])
    blocks = {}
    for e in events:
        if e["kind"] == "block":
            blocks[e["block"]] = {"title": e["title"], "text": e.get("text", ""), "tables": [],
                                  "notes": []}
        elif e["kind"] == "table":
            blocks[e["block"]]["tables"].append(dict(e, rows=[]))
        elif e["kind"] in ("row", "micro"):
            table = next(t for b in blocks.values() for t in b["tables"]
                         if t["workload"] == e["workload"])
            table["rows"].append(e)
        elif e["kind"] == "note":
            blocks[e["block"]]["notes"].append(e["text"])
    rendered = {}
    provenance = (f"_Measured {meta['date']} by `{meta['command']}` "
                  f"({meta['machine_short']})._")
    for name, block in blocks.items():
        out = [f"{BLOCK}{name} -->", f"### {block['title']}", "", provenance, ""]
        if block["text"]:
            out += [block["text"], ""]
        for table in block["tables"]:
            if table.get("micro"):
                out += render_micro(table, table["rows"])
            else:
                out += render_table(table, table["rows"], runs, failures)
            out.append("")
        for note in block["notes"]:
            out.append(f"- {note}")
        if block["notes"]:
            out.append("")
        rendered[name] = "\n".join(out).rstrip() + "\n"
    return meta, rendered


def header(meta):
    lines = [
        "## Against peer tools: `bench/run`",
        "",
        f"Latest run: `{meta['command']}`, {meta['date']}.",
        "",
        f"Machine: {meta['machine']}.",
        "",
        meta["method"],
        "",
        "| peer | status |",
        "| --- | --- |",
    ]
    for name, status in meta["peers"]:
        lines.append(f"| {name} | {status} |")
    return "\n".join(lines) + "\n"


def split_blocks(section):
    """The blocks of an existing section, by name."""
    blocks, name, buf = {}, None, []
    for line in section.splitlines(keepends=True):
        if line.startswith(BLOCK):
            if name:
                blocks[name] = "".join(buf).rstrip() + "\n"
            name, buf = line[len(BLOCK):].split(" ", 1)[0].strip(), [line]
        elif name:
            buf.append(line)
    if name:
        blocks[name] = "".join(buf).rstrip() + "\n"
    return blocks


def write(work, results):
    meta, new_blocks = render_blocks(work)
    text = open(results).read() if os.path.exists(results) else "# Results\n"
    if BEGIN in text and END in text and text.index(BEGIN) < text.index(END):
        before, rest = text.split(BEGIN, 1)
        section, after = rest.split(END, 1)
    else:
        before, section, after = text.rstrip("\n") + "\n\n", "", "\n"
    blocks = split_blocks(section)
    blocks.update(new_blocks)
    names = [n for n in ORDER if n in blocks] + [n for n in blocks if n not in ORDER]
    body = header(meta) + "".join("\n" + blocks[n] for n in names)
    new_section = f"{BEGIN}\n{body}{END}"
    with open(results + ".tmp", "w") as f:
        f.write(before + new_section + after)
    os.replace(results + ".tmp", results)
    print(header(meta))
    for n in names:
        if n in new_blocks:
            print(new_blocks[n])


def criterion(log, crate, bench):
    """Criterion prints `NAME  time: [low est high]` (the name on its own line when long)."""
    scale = {"ps": 1e-3, "ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
    name = None
    found = 0
    for line in open(log, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if "time:" in line and "[" in line:
            before, _, values = line.partition("time:")
            if before.strip():
                name = before.strip()
            parts = values.strip().strip("[]").split()
            nums = [float(parts[i]) * scale[parts[i + 1]] for i in (0, 2, 4)]
            print(json.dumps({"kind": "micro", "workload": f"micro-{crate}", "crate": crate,
                              "bench": bench, "label": name, "low": nums[0], "est": nums[1],
                              "high": nums[2]}))
            found += 1
        elif line and not line.startswith((" ", "Benchmarking", "Found", "Gnuplot", "Warning",
                                           "WARNING", "Running", "Finished", "Compiling")):
            name = line.strip()
    if not found:
        sys.exit(f"no Criterion results in {log}")


def main(argv):
    if argv[:1] == ["write"] and len(argv) == 3:
        write(argv[1], argv[2])
    elif argv[:1] == ["criterion"] and len(argv) == 4:
        criterion(*argv[1:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
