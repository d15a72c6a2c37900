#!/usr/bin/env python3
"""compare.py EXPECTED ACTUAL FIELDS_MD: Elastic's expected documents
against elbship's, field by field, with the allowed differences read from
docs/fields.md ("Differences from Elastic's pipeline").

EXPECTED is Elastic's pipeline test result ({"expected": [doc, ...]});
ACTUAL is elbship's NDJSON for the same lines, in the same order.  Both
are flattened to dotted names (arrays kept whole).  Numbers are compared
as numbers (5 and 5.0 are one value to Elasticsearch).  Every other
difference fails unless a row of the table names the field with the kind
of difference:

  time     both have it; the same instant to the millisecond (Elastic's
           date processor keeps milliseconds, elbship what AWS logged)
  extra    Elastic's document never has it; elbship's may
  absent   elbship's document never has it; Elastic's may
  dash     Elastic's value is "-" (AWS's "no value"), elbship has none
  value    either may have it, with any value

Prints TAP (one test per document and field checked, grouped per
document) and ends with "# N passed, M failed".
"""
import datetime
import fnmatch
import json
import re
import sys


def flatten(obj, prefix="", out=None):
    out = {} if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            flatten(v, prefix + k if not prefix else prefix + "." + k, out)
    else:
        out[prefix] = obj
    return out


def allowed_table(path):
    """{pattern: kind} from the table under the heading that starts with
    "## Differences from Elastic"."""
    rows, inside = {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("## "):
            inside = line.startswith("## Differences from Elastic")
            continue
        if not inside or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("Difference", "") or \
                set(cells[0]) <= set("-: "):
            continue
        m = re.match(r"^\*\*(time|extra|absent|dash|value)\*\*$", cells[0])
        if not m:
            raise SystemExit("fields.md: row %r: the Difference cell must "
                             "be **time**, **extra**, **absent**, **dash** "
                             "or **value**" % cells[1])
        if not cells[2]:
            raise SystemExit("fields.md: row %r has no reason" % cells[1])
        for name in re.findall(r"`([^`]+)`", cells[1]):
            if name in rows:
                raise SystemExit("fields.md: %s is named twice" % name)
            rows[name] = m.group(1)
    if not rows:
        raise SystemExit("fields.md: no 'Differences from Elastic' table")
    return rows


def kind_of(rows, field):
    for pat, kind in rows.items():
        if fnmatch.fnmatchcase(field, pat):
            return kind
    return None


def instant_ms(v):
    if not isinstance(v, str):
        return None
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z?$", v)
    if not m:
        return None
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    frac = (m.group(2) or ".0")[1:]
    ms = int((frac + "000")[:3])
    return (t, ms)


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def main():
    expected = json.load(open(sys.argv[1], encoding="utf-8"))["expected"]
    actual = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")
              if l.strip()]
    rows = allowed_table(sys.argv[3])
    n = passed = failed = 0

    def tap(good, text):
        nonlocal n, passed, failed
        n += 1
        if good:
            passed += 1
            print("ok %d - %s" % (n, text))
        else:
            failed += 1
            print("not ok %d - %s" % (n, text))

    tap(len(expected) == len(actual), "%d documents from elbship for %d "
        "expected" % (len(actual), len(expected)))
    same_fields = 0
    for i, (e, a) in enumerate(zip(expected, actual)):
        fe, fa = flatten(e), flatten(a)
        problems, allowed = [], 0
        for f in sorted(set(fe) | set(fa)):
            ve, va = fe.get(f), fa.get(f)
            if f in fe and f in fa and same(ve, va):
                same_fields += 1
                continue
            kind = kind_of(rows, f)
            why = None
            if kind is None:
                why = "not named in docs/fields.md"
            elif kind == "time":
                ie, ia = instant_ms(ve), instant_ms(va)
                if ie is None or ia is None or ie != ia:
                    why = "not the same instant to the millisecond"
            elif kind == "extra" and f in fe:
                why = "named as elbship's extra, but Elastic has it"
            elif kind == "absent" and f in fa:
                why = "named as absent from elbship's, but elbship has it"
            elif kind == "dash" and (ve != "-" or f in fa):
                why = "named as a dropped \"-\", but it is not one"
            if why is None:
                allowed += 1
                continue
            problems.append("%s: Elastic %s, elbship %s (%s)" % (
                f, json.dumps(ve) if f in fe else "-",
                json.dumps(va) if f in fa else "-", why))
        for p in problems:
            print("#   " + p)
        tap(not problems, "document %d (%s): fields equal or differing as "
            "docs/fields.md says (%d allowed differences)"
            % (i + 1, e.get("@timestamp"), allowed))
    print("# %d fields equal" % same_fields)
    print("# %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
