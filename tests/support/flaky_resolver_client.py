"""A test's handle on tests/support/flaky_resolver.py: starts it on 127.0.0.1 with
a control file and a query log under a work folder, switches its mode, reads
what it was asked. Shared by the resolver-health tests (tests/dns and the lab's
tests/e2e), which differ only in the modes they use and the upstream they relay
to.
"""
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flaky_resolver.py")


class FlakyResolver:
    def __init__(self, work, tag, mode, fail, upstream_port=None):
        """Starts the resolver in `mode` (the control file is written first, so
        its first query already sees it); `fail(msg)` is the test's own, called
        (after stopping the process) if it does not start."""
        self.control = os.path.join(work, f"{tag}.mode")
        self.log = os.path.join(work, f"{tag}.queries")
        self.set(mode)
        cmd = [sys.executable, SCRIPT, "127.0.0.1", self.control, self.log]
        if upstream_port is not None:
            cmd.append(str(upstream_port))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "ready":
            self.stop()
            fail(f"flaky_resolver did not start: {line}")
        self.addr = f"127.0.0.1:{line[1]}"

    def set(self, mode):
        """Switches the mode; the rename makes the resolver read the old line
        or the new one, never half of one."""
        tmp = self.control + ".tmp"
        with open(tmp, "w") as f:
            f.write(mode + "\n")
        os.replace(tmp, self.control)

    def queries(self):
        """Every query asked so far, as "TYPE NAME"."""
        if not os.path.exists(self.log):
            return []
        return open(self.log).read().splitlines()

    def stop(self):
        self.proc.kill()
        self.proc.wait()
