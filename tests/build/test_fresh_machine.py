#!/usr/bin/python3
"""The build must work on a fresh Debian 12 machine, without one.

A fresh machine has none of build/deps.sh's packages, and `make test` has to
install them before it uses them. This test proves the three things that
makes true, on a machine where everything is already installed:

1. Parsing the Makefile runs no tool that deps.sh installs: `make -n deps` is
   run with every such tool shadowed in PATH by a stub that records its call.
   (A `:=` with `$(shell $(CROSS)gcc ...)` ran at parse time, before the
   packages were there, and broke the first `make test`.)
2. Every target that `make run`, `make test` or `make check` makes depends on
   the deps step, directly or through its prerequisites, so nothing is built
   before the packages are installed, whatever order make picks.
3. Every external command the Makefile, build/*.sh and the host-side tests run
   belongs to a package in deps.sh's list (or a direct dependency of one, or
   Debian's Essential set). On this machine every package is installed, so a
   command missing from the list is found here and named.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOALS = ["images", "unit", "abi-check", "check", "test", "run"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def deps_packages():
    out = subprocess.run([os.path.join(TOP, "build/deps.sh"), "--list"],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def dpkg_field(pkg, field):
    r = subprocess.run(["dpkg-query", "-W", "-f=${%s}" % field, pkg],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def pkg_names(depends):
    """Package names in a Depends/Pre-Depends field (alternatives included)."""
    return {re.split(r"[\s(:]", alt.strip())[0]
            for dep in depends.split(",") for alt in dep.split("|") if alt.strip()}


# --------------------------------------------------- 1. nothing at parse time
def installed_commands(pkgs):
    """Executables in PATH directories that deps.sh's packages install."""
    cmds = set()
    for p in pkgs:
        r = subprocess.run(["dpkg", "-L", p], capture_output=True, text=True)
        for path in r.stdout.split():
            if re.match(r"^/(usr/)?(s?bin)/[^/]+$", path):
                cmds.add(os.path.basename(path))
    return cmds


def check_parse_time(pkgs):
    essential = essential_commands()
    shadow = sorted(installed_commands(pkgs) - essential - {"make"})
    if "riscv64-linux-gnu-gcc" not in shadow:
        fail("riscv64-linux-gnu-gcc is not among deps.sh's commands")
    with tempfile.TemporaryDirectory() as tmp:
        stubs, log = os.path.join(tmp, "bin"), os.path.join(tmp, "calls")
        os.mkdir(stubs)
        for c in shadow:
            with open(os.path.join(stubs, c), "w") as f:
                f.write('#!/bin/sh\necho "%s $*" >>%s\nexit 127\n' % (c, log))
            os.chmod(os.path.join(stubs, c), 0o755)
        env = dict(os.environ, PATH=stubs + ":" + os.environ["PATH"])
        r = subprocess.run(["make", "-n", "-C", TOP, "OUT=" + os.path.join(tmp, "out"),
                            "deps"], env=env, capture_output=True, text=True)
        calls = open(log).read().splitlines() if os.path.exists(log) else []
    print("parse-time check: %d tools hidden, make -n deps rc=%d, %d calls"
          % (len(shadow), r.returncode, len(calls)))
    if r.returncode != 0:
        fail("make -n deps failed with the tools hidden: " + r.stderr.strip()[-300:])
    for c in calls:
        fail("the Makefile runs '%s' when it is parsed, before deps.sh" % c)


def essential_commands():
    r = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Essential}\n"],
                       capture_output=True, text=True, check=True)
    ess = [l.split()[0] for l in r.stdout.splitlines() if l.endswith(" yes")]
    return installed_commands(ess)


# ------------------------------------------ 2. everything waits for the deps
def make_database(tmp_out):
    r = subprocess.run(["make", "-n", "-p", "-B", "-C", TOP, "OUT=" + tmp_out] + GOALS,
                       capture_output=True, text=True)
    text = r.stdout
    start, end = text.find("\n# Files\n"), text.find("\n# files hash-table stats")
    return text[start:end]


def parse_database(files):
    """{target: (prereqs, updated)} from make -p's Files section."""
    graph = {}
    for block in files.split("\n\n"):
        lines = block.strip("\n").splitlines()
        entry = [l for l in lines if l and not l.startswith(("#", "\t"))
                 and re.match(r"^[^:]+:(?!=)", l) and not re.search(r":\s*\S+\s*:?=", l)]
        if not entry or "#  Not a target:" in block:
            continue
        name, _, rest = entry[0].partition(":")
        prereqs = rest.replace("|", " ").split()
        updated = "#  File has been updated." in block or "Successfully updated" in block
        graph[name.strip()] = (prereqs, updated)
    return graph


def check_order(tmp):
    tmp_out = os.path.join(tmp, "out")
    graph = parse_database(make_database(tmp_out))
    stamp = tmp_out + "/.deps"
    if stamp not in graph:
        fail("make -p shows no %s target" % stamp)
        return
    reach = {}

    def reaches(t, seen=()):
        if t == stamp:
            return True
        if t in reach:
            return reach[t]
        if t in seen or t not in graph:
            return False
        reach[t] = any(reaches(p, seen + (t,)) for p in graph[t][0])
        return reach[t]

    skip = {stamp, "deps", "clean", ".PHONY", ".SECONDARY", ".SECONDEXPANSION",
            ".SUFFIXES", ".DEFAULT", "Makefile"}
    checked = 0
    for t, (prereqs, updated) in sorted(graph.items()):
        if not updated or t in skip or not (t.startswith(tmp_out) or t in GOALS
                                            or t.endswith(".img")):
            continue
        checked += 1
        if not reaches(t):
            fail("'%s' can be made before build/deps.sh has run (no path to "
                 "$(DEPS_STAMP))" % t.replace(tmp_out, "$(OUT)"))
    print("order check: %d targets, all reach the deps step" % checked
          if checked else "order check: no targets found")
    if checked < 50:
        fail("only %d targets found in make -p: the parser is broken" % checked)


# ----------------------------------------- 3. every command from a package
SHELL_WORDS = {
    "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until",
    "case", "esac", "function", "return", "exit", "set", "export", "local", "read",
    "shift", "echo", "printf", "cd", "test", "[", "]", "[[", "]]", "true", "false",
    ".", ":", "eval", "exec", "wait", "trap", "umask", "unset", "kill", "command",
    "break", "continue", "!", "{", "}", "type", "pwd",
}
MAKE_VARS = {"$(CROSS)": "riscv64-linux-gnu-", "${CROSS}": "riscv64-linux-gnu-",
             "$CROSS": "riscv64-linux-gnu-", "$(HOSTCC)": "gcc", "$(PYTHON)": "/usr/bin/python3",
             "$(MAKE)": "make", "$(QEMU)": "qemu-system-riscv64"}


def shell_commands(text):
    """First words of the simple commands in shell or recipe text."""
    text = re.sub(r"\\\n", " ", text)
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
    text = re.sub(r"'[^'\n]*'", "''", text)            # awk/sed programs
    # Double-quoted text: only its $(...) command substitutions matter.
    text = re.sub(r'"([^"]*)"',
                  lambda m: " ; ".join(re.findall(r"\$\(([^()]*)\)", m.group(1))) or '""',
                  text)
    for k, v in MAKE_VARS.items():
        text = text.replace(k, v)
    cmds = set()
    for seg in re.split(r"[;\n|&(){}`]|\$\(|\bthen\b|\bdo\b|\belse\b|\bexec\b", text):
        words = seg.split()
        while words and (re.match(r"^[A-Za-z_]\w*=", words[0]) or words[0] in
                         ("@", "-", "+", "!", "sudo", "$SUDO", "env", "nice", "time")):
            words = words[1:]
        if words:
            w = words[0].lstrip("@-+")
            if re.match(r"^[A-Za-z0-9_.+-][A-Za-z0-9_./+-]*$|^/[\w.+-]+(/[\w.+-]+)+$", w) \
                    and w not in SHELL_WORDS:
                cmds.add(w)
    return cmds


def python_commands(text):
    """argv[0] of subprocess/pexpect calls in a host-side Python test."""
    cmds = set()
    for m in re.finditer(r"(?:subprocess\.\w+|spawn|Popen)\(\s*\[\s*(CROSS\s*\+\s*)?"
                         r"\"([^\"]+)\"", text):
        cmds.add(("riscv64-linux-gnu-" if m.group(1) else "") + m.group(2))
    return cmds


def sources():
    yield "Makefile", open(os.path.join(TOP, "Makefile")).read(), shell_commands
    for d, pat in (("build", r"\.(sh|mk)$"), ("tests", r"\.py$")):
        for root, _, files in os.walk(os.path.join(TOP, d)):
            for f in sorted(files):
                path = os.path.join(root, f)
                if not re.search(pat, f):
                    continue
                rel = os.path.relpath(path, TOP)
                # Guest-side scripts run inside Dom0/DomUs (busybox).
                if rel.startswith(("build/dom0/", "build/domu/")):
                    continue
                text = open(path).read()
                if f.endswith(".py"):
                    yield rel, text, python_commands
                else:
                    yield rel, text, shell_commands


def owner(path):
    for p in (path, os.path.realpath(path), re.sub(r"^/usr", "", path)):
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0].split(",")[0].strip()
    return None


def check_commands(pkgs):
    allowed = set(pkgs)
    for p in pkgs:
        allowed |= pkg_names(dpkg_field(p, "Depends") or "")
        allowed |= pkg_names(dpkg_field(p, "Pre-Depends") or "")
    for p in pkgs:
        if dpkg_field(p, "Status") != "install ok installed":
            fail("deps.sh lists %s, which is not an installed package here" % p)
    functions = set()
    found = {}
    for rel, text, parse in sources():
        functions |= set(re.findall(r"^\s*(\w+)\s*\(\)", text, flags=re.M))
        for c in parse(text):
            found.setdefault(c, rel)
    checked = 0
    for c, rel in sorted(found.items()):
        if c in functions:
            continue
        if "/" in c and not c.startswith("/"):
            continue  # a script of the repository (./build/x.sh, tests/...)
        path = c if c.startswith("/") else shutil.which(c)
        if not path or not os.path.exists(path):
            continue  # a word, not a command on this machine
        pkg = owner(path)
        checked += 1
        if pkg is None:
            fail("%s (used in %s) belongs to no Debian package" % (c, rel))
        elif pkg not in allowed and dpkg_field(pkg, "Essential") != "yes":
            fail("%s (used in %s) comes from %s, which build/deps.sh does not install"
                 % (c, rel, pkg))
    print("command check: %d commands found, %d from packages" % (len(found), checked))
    for must in ("riscv64-linux-gnu-gcc", "g++", "cppcheck", "clang",
                 "qemu-system-riscv64", "mkfs.ext4"):
        if must not in found:
            fail("the scanner no longer finds %s: it is broken" % must)


def main():
    pkgs = deps_packages()
    check_parse_time(pkgs)
    with tempfile.TemporaryDirectory() as tmp:
        check_order(tmp)
    check_commands(pkgs)
    if failures:
        print("%d problem(s)" % len(failures))
        return 1
    print("fresh-machine checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
