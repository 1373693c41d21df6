"""A small TAP (version 13) writer, so meson test shows each check."""
import sys


class Tap:
    def __init__(self, out=sys.stdout):
        self.out = out
        self.number = 0
        self.failed = 0
        print("TAP version 13", file=out, flush=True)

    def check(self, ok, description, diagnostics=""):
        self.number += 1
        if not ok:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.number} - {description}", file=self.out)
        if not ok and diagnostics:
            for line in str(diagnostics).splitlines():
                print(f"# {line}", file=self.out)
        self.out.flush()
        return ok

    def finish(self):
        print(f"1..{self.number}", file=self.out, flush=True)
        return 1 if self.failed else 0
