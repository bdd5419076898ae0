#!/usr/bin/env bash
# Checks the operations kit; CI runs it from anywhere in the repository.
#   - the alerting rules parse (promtool check rules) and fire as their unit
#     tests expect (promtool test rules);
#   - the Grafana dashboard is valid JSON;
#   - every lighthouse_* series used by the rules and the dashboard is one
#     the engine exports (the table in live/src/telemetry.rs, which a test
#     of lighthouse-live keeps equal to the real exposition).
# Needs promtool (Debian/Ubuntu: apt-get install prometheus) and python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rules="$here/prometheus/lighthouse-alerts.yml"
tests="$here/prometheus/lighthouse-alerts.test.yml"
dashboard="$here/grafana/lighthouse-dashboard.json"
telemetry="$root/live/src/telemetry.rs"

if ! command -v promtool >/dev/null 2>&1; then
    echo "ops/check.sh: promtool not found (apt-get install prometheus)" >&2
    exit 1
fi

promtool check rules "$rules"
(cd "$here/prometheus" && promtool test rules "$(basename "$tests")")

python3 - "$dashboard" "$rules" "$telemetry" <<'PY'
import json, re, sys

dashboard_path, rules_path, telemetry_path = sys.argv[1:4]
with open(dashboard_path) as f:
    dashboard = json.load(f)
exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
if not exprs:
    sys.exit(f"{dashboard_path}: no panel queries")
for p in dashboard["panels"]:
    for key in ("id", "type", "title", "gridPos", "targets"):
        if key not in p:
            sys.exit(f"{dashboard_path}: panel {p.get('title', '?')!r} has no {key}")

exported = set()
for line in open(telemetry_path):
    m = re.match(r"//! \| `(lighthouse_[a-z_]+)` \| (\w+)", line)
    if not m:
        continue
    name, kind = m.groups()
    exported.add(name)
    if kind == "histogram":
        exported.update(name + s for s in ("_bucket", "_sum", "_count"))
if not exported:
    sys.exit(f"{telemetry_path}: no metric table found")

used = set(re.findall(r"lighthouse_[a-z_]+", " ".join(exprs) + open(rules_path).read()))
used -= {"lighthouse_alerts"}
unknown = sorted(n for n in used if n not in exported)
if unknown:
    sys.exit(f"series the engine does not export: {', '.join(unknown)}")
print(f"dashboard: {len(dashboard['panels'])} panels, {len(exprs)} queries; {len(used)} series, all exported")
PY
echo "ops/check.sh: OK"
