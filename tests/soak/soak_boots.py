"""Soak (make soak, not make test): VIREO_SOAK_BOOTS (default 200) boots
of Vireo + Dom0, two QEMUs at a time so that the harts race as they do on
a loaded host. Each boot must reach Dom0's prompt with both CPUs online and
without a fault on the console. A boot that hangs prints the hypervisor
monitor's view (Machine.wait_ready). Found OpenSBI 1.1's hart-start race
(docs/boot-and-memory.md): about one boot in 400 failed before boot.S
claimed the boot path."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import OUT, Machine  # noqa: E402

BOOTS = int(os.environ.get("VIREO_SOAK_BOOTS", "200"))
failures = []
raced = []  # boots where OpenSBI sent the second hart to _start


def boots(worker, count):
    log = os.path.join(OUT, "test-logs", "console-soak_boots-%d.log" % worker)
    for i in range(count):
        try:
            with Machine(timeout=60, log=log) as m:
                m.wait_ready()
                online = m.sh("cat /sys/devices/system/cpu/online")
                assert online == "0-1", "CPUs online: %r" % online
                if "online (it entered at _start" in "".join(m.console.chunks):
                    raced.append(i)
        except Exception as e:  # pylint: disable=broad-except
            failures.append("worker %d, boot %d: %s" % (worker, i, e))
            return


def main():
    start = time.monotonic()
    threads = [threading.Thread(target=boots, args=(w, (BOOTS + w) // 2))
               for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("%d boots in %.0f s; OpenSBI's hart-start race in %d"
          % (BOOTS, time.monotonic() - start, len(raced)))
    for f in failures:
        print("FAILED:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
