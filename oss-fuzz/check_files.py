#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""check_files.py: the OSS-Fuzz and ClusterFuzzLite files, read as their tools read them.

  check_files.py checks    one "ok<TAB>what" or "fail<TAB>what" line per check:
                           every YAML file parses; oss-fuzz/project.yaml is a C
                           project with the sanitizers address, undefined and
                           memory and the engines libfuzzer and afl; both
                           Dockerfiles start from the base builder of its
                           base_os_version and install through tools/deps.sh;
                           the ClusterFuzzLite workflows (documented names)
                           build and run with the documented actions: PR
                           fuzzing in code-change mode for about 300 s with
                           address and undefined, scheduled batch fuzzing,
                           pruning and coverage; every sanitizer they use is
                           one of project.yaml's
  check_files.py configs   the builds OSS-Fuzz makes of project.yaml, one
                           "ENGINE SANITIZER" line each: libfuzzer with each
                           sanitizer, afl with address, libfuzzer coverage

Run from the repository root. Bad usage: one line on stderr, exit 2.
"""
import glob
import os
import re
import sys

import yaml

PROJECT = "oss-fuzz/project.yaml"
CFL_PROJECT = ".clusterfuzzlite/project.yaml"
DOCKERFILES = ("oss-fuzz/Dockerfile", ".clusterfuzzlite/Dockerfile")
BUILD_SCRIPTS = ("oss-fuzz/build.sh", ".clusterfuzzlite/build.sh")
WORKFLOWS = ".github/workflows"
ACTION = "google/clusterfuzzlite/actions/{}@v1"
PR_SECONDS = range(240, 361)  # "about 300 s"

results = []


def check(cond, what):
    results.append(("ok" if cond else "fail", what))
    return cond


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except OSError as e:
        check(False, f"{path}: {e.strerror}")
        return None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        check(False, f"{path}{where}: not YAML: {getattr(e, 'problem', e)}")
        return None
    check(isinstance(doc, dict), f"{path}: YAML, a mapping")
    return doc if isinstance(doc, dict) else None


def project():
    p = load(PROJECT) or {}
    return p


def configs(p):
    out = []
    engines = p.get("fuzzing_engines") or []
    for s in p.get("sanitizers") or []:
        if "libfuzzer" in engines:
            out.append(("libfuzzer", s))
    if "afl" in engines:
        out.append(("afl", "address"))
    out.append(("libfuzzer", "coverage"))
    return out


def steps_of(job):
    return [s for s in (job.get("steps") or []) if isinstance(s, dict)]


def action_steps(job, name):
    return [s for s in steps_of(job) if s.get("uses") == ACTION.format(name)]


def check_job(path, name, job, sanitizers):
    """A job builds then runs with the documented actions; returns its run steps."""
    builds, runs = action_steps(job, "build_fuzzers"), action_steps(job, "run_fuzzers")
    check(len(builds) == 1, f"{path}: {name} builds with {ACTION.format('build_fuzzers')}")
    uses = [s.get("uses", "") for s in steps_of(job)]
    check(bool(uses) and uses[0].startswith("actions/checkout@"),
          f"{path}: {name} checks the repository out first (base_os_version is read from it)")
    matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("sanitizer")
    for b in builds:
        w = b.get("with") or {}
        check(w.get("language") == "c", f"{path}: {name} builds language c")
        s = w.get("sanitizer", "address")
        if isinstance(s, str) and "matrix.sanitizer" in s:
            check(isinstance(matrix, list) and matrix, f"{path}: {name} has a sanitizer matrix")
            used = matrix or []
        else:
            used = [s]
        for u in used:
            check(u in sanitizers or u == "coverage",
                  f"{path}: {name} sanitizer {u} is one of {PROJECT}'s")
        for r in runs:
            check((r.get("with") or {}).get("sanitizer", "address") == w.get("sanitizer", "address"),
                  f"{path}: {name} runs with the sanitizer it built with")
    return runs, matrix


def workflow(path, sanitizers, want_modes):
    doc = load(path)
    if doc is None:
        return {}
    # YAML 1.1 reads the key "on" as true.
    on = doc.get("on", doc.get(True))
    check(on is not None, f"{path}: has triggers (on:)")
    modes = {}
    for name, job in (doc.get("jobs") or {}).items():
        runs, matrix = check_job(path, name, job or {}, sanitizers)
        for r in runs:
            w = r.get("with") or {}
            modes.setdefault(w.get("mode"), []).append((name, w, matrix, job))
    for m in want_modes:
        check(m in modes, f"{path}: a job runs in mode '{m}'")
    return modes, on


def checks():
    p = project()
    check(p.get("language") == "c", f"{PROJECT}: language c")
    san = p.get("sanitizers") or []
    for s in ("address", "undefined", "memory"):
        check(s in san, f"{PROJECT}: sanitizer {s}")
    for e in ("libfuzzer", "afl"):
        check(e in (p.get("fuzzing_engines") or []), f"{PROJECT}: engine {e}")
    for k in ("homepage", "main_repo", "primary_contact"):
        check(bool(p.get(k)), f"{PROJECT}: {k}")
    cfl = load(CFL_PROJECT) or {}
    check(cfl.get("language") == "c", f"{CFL_PROJECT}: language c")
    os_version = p.get("base_os_version")
    check(cfl.get("base_os_version") == os_version,
          f"{CFL_PROJECT}: base_os_version is {PROJECT}'s ({os_version})")
    image = "gcr.io/oss-fuzz-base/base-builder" + (f":{os_version}" if os_version else "")
    for d in DOCKERFILES:
        try:
            text = open(d, encoding="utf-8").read()
        except OSError as e:
            check(False, f"{d}: {e.strerror}")
            continue
        froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
        check(froms == [image], f"{d}: FROM {image}")
        check(re.search(r"^RUN .*tools/deps\.sh oss-fuzz$", text, re.M) is not None,
              f"{d}: installs through tools/deps.sh oss-fuzz")
        check(re.search(r"^COPY \S*build\.sh \$SRC/$", text, re.M) is not None,
              f"{d}: puts build.sh into $SRC")
    for b in BUILD_SCRIPTS:
        check(os.access(b, os.X_OK), f"{b}: executable")

    pr = os.path.join(WORKFLOWS, "cflite_pr.yml")
    modes, on = workflow(pr, san, ["code-change"]) or ({}, None)
    check(isinstance(on, dict) and "pull_request" in on, f"{pr}: runs on pull requests")
    for name, w, matrix, _ in modes.get("code-change", []):
        check(int(w.get("fuzz-seconds") or 0) in PR_SECONDS, f"{pr}: {name} fuzzes about 300 s")
        check(sorted(matrix or []) == ["address", "undefined"],
              f"{pr}: {name} with address and undefined")
    batch = os.path.join(WORKFLOWS, "cflite_batch.yml")
    modes, on = workflow(batch, san, ["batch"]) or ({}, None)
    check(isinstance(on, dict) and bool(on.get("schedule")), f"{batch}: on a schedule")
    cron = os.path.join(WORKFLOWS, "cflite_cron.yml")
    modes, on = workflow(cron, san, ["prune", "coverage"]) or ({}, None)
    check(isinstance(on, dict) and bool(on.get("schedule")), f"{cron}: on a schedule")
    for name, w, _, job in modes.get("coverage", []):
        b = action_steps(job, "build_fuzzers")
        check(w.get("sanitizer") == "coverage" and b and (b[0].get("with") or {}).get("sanitizer") == "coverage",
              f"{cron}: {name} builds and runs the coverage sanitizer")
    for extra in sorted(glob.glob(os.path.join(WORKFLOWS, "*.yml"))):
        if extra not in (pr, batch, cron):
            load(extra)


def main(argv):
    if len(argv) != 2 or argv[1] not in ("checks", "configs"):
        print("check_files.py: usage: check_files.py checks|configs", file=sys.stderr)
        sys.exit(2)
    if argv[1] == "configs":
        p = project()
        if not p:
            for status, what in results:
                print(f"check_files.py: {what}", file=sys.stderr)
            sys.exit(2)
        for engine, sanitizer in configs(p):
            print(engine, sanitizer)
        return
    checks()
    for status, what in results:
        print(f"{status}\t{what}")


if __name__ == "__main__":
    main(sys.argv)
