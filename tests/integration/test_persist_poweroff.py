"""/data survives a full QEMU restart, and Dom0 poweroff ends QEMU with 0."""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vireo_qemu import Machine, fresh_disk, remove_disk  # noqa: E402


def main():
    disk = fresh_disk()
    token = uuid.uuid4().hex
    try:
        with Machine(disk=disk) as m:
            m.wait_ready()
            assert "/data" in m.sh("mount | grep vda"), "/data not mounted"
            m.sh("echo %s > /data/token && sync" % token)
            rc = m.poweroff()
            assert rc == 0, "QEMU exit status %r after poweroff" % rc
        with Machine(disk=disk) as m:
            m.wait_ready()
            got = m.sh("cat /data/token")
            assert got == token, "token %r != %r" % (got, token)
            rc = m.poweroff()
            assert rc == 0, "QEMU exit status %r after poweroff" % rc
    finally:
        remove_disk(disk)
    print("ok")


if __name__ == "__main__":
    main()
