#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""junit.py: the JUnit XML of `make test JUNIT=DIR` (tests/run.sh calls it).

  junit.py cases NAME RESULTS OUT   a shell suite's checks (tests/suite.sh):
                                    RESULTS has "ok|fail|skip<TAB>what<TAB>why"
                                    lines; OUT gets one test case per line
  junit.py whole NAME RC LOG OUT    a group that records no checks of its own:
                                    one test case, passed (RC 0), skipped (RC
                                    77, the SKIP line's reason) or failed (the
                                    log as its output)
  junit.py counts FILE...           "tests failures skipped" over JUnit files
  junit.py failures FILE...         each failed test case and its message
  junit.py check FILE...            every FILE is well-formed JUnit with at
                                    least one test case (exit 1 and the reason)

Bad usage or an unreadable file: one line on stderr and exit 2.
"""
import sys
import xml.etree.ElementTree as ET


def die(msg):
    print(f"junit.py: {msg}", file=sys.stderr)
    sys.exit(2)


def write(suite, out):
    tree = ET.ElementTree(ET.Element("testsuites"))
    tree.getroot().append(suite)
    ET.indent(tree)
    tree.write(out, encoding="UTF-8", xml_declaration=True)


def suite_of(name, cases):
    """cases: (status, what, why, output) tuples."""
    s = ET.Element("testsuite", name=name, tests=str(len(cases)),
                   failures=str(sum(c[0] == "fail" for c in cases)), errors="0",
                   skipped=str(sum(c[0] == "skip" for c in cases)))
    for status, what, why, output in cases:
        tc = ET.SubElement(s, "testcase", classname=name, name=what)
        if status == "fail":
            ET.SubElement(tc, "failure", message=why or what)
        elif status == "skip":
            ET.SubElement(tc, "skipped", message=why)
        if output:
            ET.SubElement(tc, "system-out").text = output
    return s


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        die(f"{path}: {e.strerror}")


def cmd_cases(name, results, out):
    cases = []
    for n, line in enumerate(read_text(results).splitlines(), 1):
        f = line.split("\t")
        if len(f) != 3 or f[0] not in ("ok", "fail", "skip"):
            die(f"{results}:{n}: not 'ok|fail|skip<TAB>what<TAB>why'")
        cases.append((f[0], f[1], f[2], ""))
    write(suite_of(name, cases), out)


def cmd_whole(name, rc, log, out):
    text = read_text(log)
    if rc == "0":
        case = ("ok", name, "", text)
    elif rc == "77":
        why = [l[5:].strip() for l in text.splitlines() if l.startswith("SKIP:")]
        case = ("skip", name, why[0] if why else "cannot run here", text)
    else:
        case = ("fail", name, f"exit {rc}", text)
    write(suite_of(name, [case]), out)


def parse(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return None, f"{path}: {e}"
    if root.tag not in ("testsuites", "testsuite"):
        return None, f"{path}: the root is <{root.tag}>, not <testsuites>"
    return root, None


def testcases(root):
    return root.iter("testcase")


def cmd_counts(paths):
    tests = failures = skipped = 0
    for p in paths:
        root, err = parse(p)
        if err:
            die(err)
        for tc in testcases(root):
            tests += 1
            failures += tc.find("failure") is not None or tc.find("error") is not None
            skipped += tc.find("skipped") is not None
    print(tests, failures, skipped)


def cmd_failures(paths):
    for p in paths:
        root, err = parse(p)
        if err:
            die(err)
        for tc in testcases(root):
            for f in list(tc.iter("failure")) + list(tc.iter("error")):
                msg = (f.get("message") or "") + ("\n" + f.text.strip() if f.text else "")
                print(f"[  FAILED  ] {tc.get('name')}: {msg.strip()}")


def cmd_check(paths):
    bad = 0
    for p in paths:
        root, err = parse(p)
        if not err and next(testcases(root), None) is None:
            err = f"{p}: no test case"
        if not err:
            for tc in testcases(root):
                if not tc.get("name"):
                    err = f"{p}: a test case without a name"
                    break
        if err:
            print(err)
            bad += 1
    sys.exit(1 if bad else 0)


def main(argv):
    if len(argv) < 2:
        die("usage: junit.py cases|whole|counts|failures|check ...")
    cmd, args = argv[1], argv[2:]
    if cmd == "cases" and len(args) == 3:
        cmd_cases(*args)
    elif cmd == "whole" and len(args) == 4:
        cmd_whole(*args)
    elif cmd in ("counts", "failures", "check") and args:
        {"counts": cmd_counts, "failures": cmd_failures, "check": cmd_check}[cmd](args)
    else:
        die(f"bad arguments for '{cmd}' (see the header of {argv[0]})")


if __name__ == "__main__":
    main(sys.argv)
