#!/usr/bin/env python3
"""Prints "N passed, N failed" for a meson test run, counting test cases.

Usage: count_results.py build/meson-logs/testlog.json

A TAP test counts its "ok"/"not ok" lines, a GoogleTest binary its test
cases, any other test counts once. A test that meson judged failed but
whose cases all passed (a crash, a timeout, a bad exit status) adds one
failure, so nothing that failed is hidden.
"""
import json
import re
import sys

GOOD = ("OK", "EXPECTEDFAIL", "SKIP")


def count(test):
    out = test.get("stdout") or ""
    if test["result"] == "EXPECTEDFAIL":
        return 1, 0
    if "TAP version" in out:
        passed = len(re.findall(r"^ok \d+", out, re.MULTILINE))
        failed = len(re.findall(r"^not ok \d+", out, re.MULTILINE))
    elif "[==========]" in out:
        passed = len(re.findall(r"^\[       OK \] \S+ \(\d+ ms\)$", out, re.MULTILINE))
        failed = len(re.findall(r"^\[  FAILED  \] \S+ \(\d+ ms\)$", out, re.MULTILINE))
    else:
        passed, failed = (1, 0) if test["result"] in GOOD else (0, 1)
    if test["result"] not in GOOD and failed == 0:
        failed = 1
    return passed, failed


def main():
    passed = failed = 0
    with open(sys.argv[1]) as log:
        for line in log:
            p, f = count(json.loads(line))
            passed += p
            failed += f
    print(f"{passed} passed, {failed} failed")


if __name__ == "__main__":
    main()
