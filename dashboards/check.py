#!/usr/bin/env python3
"""Structural checker for Tally's Grafana dashboards (Python 3 standard library only).

For every dashboards/*.json it checks:
  * the file parses as JSON and has a dashboard `uid` unique across the files;
  * panel ids are present and unique within the dashboard (panels nested in rows included);
  * a template variable `datasource` of type `datasource` with query `prometheus` exists, and every
    panel, target and query variable uses it as `${datasource}`;
  * query variables use `label_values(...)` on a metric and label listed in docs/metrics.md;
  * every target has a non-empty `expr`;
  * every metric name in an expression is listed in docs/metrics.md (histograms: base name for
    native buckets, or _bucket/_sum/_count), and selector / `by (...)` labels are that metric's labels;
  * every expression aggregates over Tally instances: each metric reference sits under a
    `sum without (..., instance, pod)` or a `sum by (...)` that names neither instance nor pod.
    Only Tally's per-instance self-metrics (docs/metrics.md: "Each instance also reports on
    itself") may be grouped by instance, and only in tally.json;
  * latency panels have both a native-histogram and a classic `_bucket` histogram_quantile target.

It prints every expression, one per line, as `<file>\\t<panel title>\\t<expr>`, with
$__rate_interval / $__interval / $__range replaced by 5m and template variables replaced by
match-all values (`="$x"` and `=~"$x"` become `=~".*"`), so each line is valid PromQL for a
parser. Query-variable selectors are printed too, titled `[variable <name>]`.
Problems go to stderr; the exit status is 1 if there is any.

Usage: check.py [DASHBOARD_DIR]   (default: the directory holding this script)
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, os.pardir, "docs", "metrics.md")
DS_REF = "${datasource}"
SCRAPE_LABELS = {"instance", "pod"}
AGGREGATORS = ("sum", "count")
PROMQL_WORDS = {
    "sum", "count", "min", "max", "avg", "by", "without", "rate", "irate", "increase", "delta",
    "histogram_quantile", "bool", "and", "or", "unless", "on", "ignoring", "group_left",
    "group_right", "offset", "clamp_min", "clamp_max", "abs", "vector", "scalar", "time",
    "topk", "bottomk", "quantile", "stddev", "stdvar", "count_values", "absent", "label_replace",
    "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "last_over_time",
    "histogram_count", "histogram_sum", "histogram_fraction", "inf", "nan",
}

problems = []


def problem(msg):
    problems.append(msg)
    print("ERROR: " + msg, file=sys.stderr)


# ---------------------------------------------------------------- metric catalog from the docs
def load_catalog(path):
    """name -> {"labels": set, "type": str, "per_instance": bool}"""
    catalog = {}
    per_instance = False
    header = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                per_instance = False
                header = None
            if "Each instance also reports on itself" in line:
                per_instance = True
            if not line.startswith("|"):
                header = None
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = [c.lower() for c in cells]
                continue
            if set("".join(cells)) <= set("-: "):
                continue
            m = re.fullmatch(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", cells[0])
            if not m:
                continue
            row = dict(zip(header, cells))
            labels_cell = row.get("labels", row.get("by", ""))
            labels = set(re.findall(r"`([a-zA-Z_][a-zA-Z0-9_]*)`", labels_cell))
            mtype = row.get("type", "")
            if not mtype:
                mtype = "counter" if m.group(1).endswith("_total") else "gauge"
            catalog[m.group(1)] = {"labels": labels, "type": mtype.split()[0],
                                   "per_instance": per_instance}
    return catalog


def series_names(catalog):
    """Every series name a query may use -> (catalog entry, extra labels)."""
    names = {}
    for name, info in catalog.items():
        names[name] = (info, set())
        if info["type"] == "histogram":
            names[name + "_bucket"] = (info, {"le"})
            names[name + "_sum"] = (info, set())
            names[name + "_count"] = (info, set())
    return names


# ---------------------------------------------------------------- expression helpers
VAR_RE = r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}|([A-Za-z_][A-Za-z0-9_]*))"


def substitute(expr):
    out = re.sub(r"\$(?:\{__(?:rate_interval|interval|range)\}|__(?:rate_interval|interval|range))\b", "5m", expr)
    # label matchers on a variable: ="$x", =~"$x", !="$x", !~"$x" -> match-all
    out = re.sub(r'(!?)=~?\s*"' + VAR_RE + r'"', lambda m: ('!~' if m.group(1) else '=~') + '".*"', out)
    return out


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def paren_groups(text, start):
    """Index just past the parenthesised group that opens at text[start] == '('."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def aggregations(expr):
    """[(op, kind, labels, body_start, body_end)] for every `op by|without (...) (...)`."""
    aggs = []
    for m in re.finditer(r"\b(sum|count|min|max|avg|topk|bottomk|quantile|stddev|stdvar|group)\s*(by|without)\s*\(", expr):
        lend = paren_groups(expr, m.end() - 1)
        if lend < 0:
            continue
        labels = [l.strip() for l in expr[m.end():lend - 1].split(",") if l.strip()]
        body = lend
        while body < len(expr) and expr[body].isspace():
            body += 1
        if body >= len(expr) or expr[body] != "(":
            aggs.append((m.group(1), m.group(2), labels, lend, lend))
            continue
        aggs.append((m.group(1), m.group(2), labels, body, paren_groups(expr, body)))
    # plain `sum(...)` without a grouping clause is also an aggregation, but not the form asked for
    return aggs


def metric_refs(expr):
    """[(name, position, matcher label names)] for every metric identifier in a string-free expr."""
    refs = []
    for m in re.finditer(r"(?<![A-Za-z0-9_:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)", expr):
        name = m.group(1)
        before = expr[:m.start()].rstrip()
        after = expr[m.end():].lstrip()
        if name in PROMQL_WORDS or after.startswith("("):
            continue
        if before.endswith(("by (", "without (", "by(", "without(")) or re.search(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*$", before):
            continue  # a label in a grouping list
        if re.search(r"\{[^{}]*$", before):
            continue  # a label name inside a selector
        if re.fullmatch(r"[0-9]+[smhdwy]", name) or re.match(r"^\d", name):
            continue
        labels = []
        if after.startswith("{"):
            sel = after[1:after.index("}")]
            labels = re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", sel)
        refs.append((name, m.start(), labels))
    return refs


def check_expr(where, expr, names, allow_instance):
    bare = strip_strings(expr)
    if "$" in bare or re.search(VAR_RE, expr):
        problem(f"{where}: unresolved template variable after substitution: {expr}")
    aggs = aggregations(bare)
    refs = metric_refs(bare)
    if not refs:
        problem(f"{where}: no metric in expression: {expr}")
    used_labels = set()
    for name, pos, labels in refs:
        if name not in names:
            problem(f"{where}: metric {name!r} is not listed in docs/metrics.md")
            continue
        info, extra = names[name]
        known = info["labels"] | extra
        used_labels |= known
        inst_ok = allow_instance and info["per_instance"]
        for l in labels:
            if l not in known and not (inst_ok and l in SCRAPE_LABELS):
                problem(f"{where}: label {l!r} is not a label of {name}")
        enclosing = [a for a in aggs if a[3] <= pos < a[4]]
        if not enclosing:
            problem(f"{where}: {name} is not aggregated over Tally instances (use `sum without (instance, pod)` or `sum by (...)`): {expr}")
            continue
        outer = enclosing[0] if len(enclosing) == 1 else min(enclosing, key=lambda a: a[3])
        op, kind, glabels, _, _ = outer
        if op not in AGGREGATORS or (op == "count" and not inst_ok and kind == "by"):
            problem(f"{where}: {name} is aggregated with {op} {kind}; use sum by / sum without: {expr}")
        if kind == "without" and not SCRAPE_LABELS <= set(glabels):
            problem(f"{where}: `{op} without` must drop instance and pod: {expr}")
        if kind == "by" and SCRAPE_LABELS & set(glabels) and not inst_ok:
            problem(f"{where}: {name} is grouped by instance/pod; a series moves between Tally instances: {expr}")
    for op, kind, glabels, _, _ in aggs:
        if kind == "by":
            for l in glabels:
                if l not in used_labels and not (allow_instance and l in SCRAPE_LABELS):
                    problem(f"{where}: grouping label {l!r} is not a label of the metrics used: {expr}")


# ---------------------------------------------------------------- dashboards
def walk_panels(panels):
    for p in panels or []:
        yield p
        yield from walk_panels(p.get("panels"))


def check_dashboard(path, names, catalog, uids, out):
    fname = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        problem(f"{fname}: not valid JSON: {e}")
        return 0
    if not isinstance(dash, dict):
        problem(f"{fname}: top level is not an object")
        return 0
    uid = dash.get("uid")
    if not uid or not isinstance(uid, str):
        problem(f"{fname}: missing dashboard uid")
    elif uid in uids:
        problem(f"{fname}: uid {uid!r} also used by {uids[uid]}")
    else:
        uids[uid] = fname
    if not dash.get("title"):
        problem(f"{fname}: missing title")
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        problem(f"{fname}: schemaVersion should be a recent integer (about 39)")

    variables = (dash.get("templating") or {}).get("list") or []
    var_names = [v.get("name") for v in variables]
    if len(var_names) != len(set(var_names)):
        problem(f"{fname}: duplicate template variable names {var_names}")
    dsv = [v for v in variables if v.get("name") == "datasource"]
    if not dsv or dsv[0].get("type") != "datasource" or dsv[0].get("query") != "prometheus":
        problem(f"{fname}: needs a template variable `datasource` of type datasource with query prometheus")
    for v in variables:
        if v.get("type") != "query":
            continue
        where = f"{fname}: variable {v.get('name')}"
        if (v.get("datasource") or {}).get("uid") != DS_REF:
            problem(f"{where}: datasource must be {DS_REF}")
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", q or "")
        if not m:
            problem(f"{where}: query must be label_values(<selector>, <label>): {q!r}")
            continue
        sel, label = m.group(1), m.group(2)
        metric = re.match(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)", sel)
        if not metric or metric.group(1) not in names:
            problem(f"{where}: metric of {sel!r} is not listed in docs/metrics.md")
        elif label not in names[metric.group(1)][0]["labels"] | names[metric.group(1)][1]:
            problem(f"{where}: {label!r} is not a label of {metric.group(1)}")
        out.append(f"{fname}\t[variable {v.get('name')}]\t{substitute(sel)}")
    used_vars = set()

    ids = {}
    count = 0
    panels = list(walk_panels(dash.get("panels")))
    if not panels:
        problem(f"{fname}: no panels")
    for p in panels:
        title = p.get("title") or "(untitled)"
        pid = p.get("id")
        if not isinstance(pid, int):
            problem(f"{fname}: panel {title!r} has no integer id")
        elif pid in ids:
            problem(f"{fname}: panel id {pid} used by {ids[pid]!r} and {title!r}")
        else:
            ids[pid] = title
        if p.get("type") == "row":
            continue
        count += 1
        if "\t" in title or "\n" in title:
            problem(f"{fname}: panel title {title!r} contains a tab or newline")
        if (p.get("datasource") or {}).get("uid") != DS_REF:
            problem(f"{fname}: panel {title!r} datasource must use {DS_REF}")
        targets = p.get("targets") or []
        if not targets:
            problem(f"{fname}: panel {title!r} has no targets")
        refids = [t.get("refId") for t in targets]
        if len(refids) != len(set(refids)):
            problem(f"{fname}: panel {title!r} has duplicate refIds")
        native = classic = 0
        for t in targets:
            if (t.get("datasource") or {}).get("uid") != DS_REF:
                problem(f"{fname}: panel {title!r} target {t.get('refId')} datasource must use {DS_REF}")
            expr = t.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                problem(f"{fname}: panel {title!r} target {t.get('refId')} has no expr")
                continue
            for m in re.finditer(VAR_RE, expr):
                used_vars.add(m.group(1) or m.group(2))
            if "\n" in expr or "\t" in expr:
                problem(f"{fname}: panel {title!r}: expr contains a tab or newline")
            flat = substitute(expr)
            check_expr(f"{fname}: panel {title!r}", flat, names, fname == "tally.json")
            if "histogram_quantile" in flat:
                if re.search(r"_bucket\b", flat):
                    classic += 1
                    if not re.search(r"by\s*\(\s*le\b", flat):
                        problem(f"{fname}: panel {title!r}: classic histogram_quantile must sum by (le, ...)")
                else:
                    native += 1
            out.append(f"{fname}\t{title}\t{flat}")
        if (native or classic) and not (native and classic):
            problem(f"{fname}: panel {title!r}: latency needs both a native-histogram and a classic _bucket target")
    for name in used_vars - {"__rate_interval", "__interval", "__range"}:
        if name not in var_names:
            problem(f"{fname}: uses ${name} but defines no such template variable")
    return count


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else HERE
    try:
        catalog = load_catalog(DOCS)
    except OSError as e:
        problem(f"cannot read {DOCS}: {e}")
        return 1
    if len(catalog) < 40:
        problem(f"only {len(catalog)} metrics parsed from docs/metrics.md; parser out of date?")
    names = series_names(catalog)
    files = sorted(glob.glob(os.path.join(directory, "*.json")))
    if not files:
        problem(f"no dashboards in {directory}")
    uids, out, summary = {}, [], []
    for path in files:
        n = check_dashboard(path, names, catalog, uids, out)
        summary.append(f"{os.path.basename(path)}: {n} panels")
    for line in out:
        print(line)
    print("; ".join(summary) + f"; {len(out)} expressions; {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
