"""Shared by the benchmark scripts' reports: one budget's verdict, printed the same way by every
script, and kept for bench/issue21.sh's summary when it runs them (BENCH_SUMMARY names the file)."""
import os


def verdict(ratio, budget):
    return "ok" if ratio <= budget else "OVER BUDGET"


def record(measure, figure, ratio, budget, unit="×"):
    """Append one measured budget to the summary, if a summary is being kept; returns the verdict."""
    result = verdict(ratio, budget)
    path = os.environ.get("BENCH_SUMMARY")
    if path:
        shown = f"{ratio:.1%}" if unit == "%" else f"{ratio:.2f}×"
        limit = f"≤ {budget:.0%}" if unit == "%" else f"≤ {budget}×"
        with open(path, "a", encoding="utf-8") as out:
            out.write("\t".join([measure, figure, shown, limit, result]) + "\n")
    return result
