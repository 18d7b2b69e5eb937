#!/usr/bin/env bash
# Canaries planted in the real input (an extreme weight, a rare status category, a unique
# identifier-like lab test name) reach the steward's report, which may show them, and none of
# them reaches the public report. The public charts hold no real series and no synthetic cell
# below report.public_min_count.
source "$(dirname "$0")/report_common.sh"
write_small_nafld data canaries
write_small_config small.ini "$SC_WORK/data"
run_np 2 run --config small.ini --run.dir run > run.log 2>&1 || fail "pipeline (see run.log)"
steward=run/report/steward.html public=run/report/public.html
for canary in 987654.25 RARECAT_QZ ID-7F3K9-CANARY; do
  # The steward's report charts the real data: the canaries must be there, or this test proves nothing.
  grep -qF -- "$canary" $steward || fail "canary $canary did not reach the steward's report"
done
for canary in 987654 RARECAT_QZ 7F3K9 CANARY; do
  if grep -qF -- "$canary" $public; then fail "canary $canary is in the public report"; fi
done
python3 - <<'PY' || fail "a public chart holds real data or a small cell"
import json, re
metrics = json.load(open('run/report/metrics.json'))
k = metrics['charts']['settings']['public_min_count']
public = [c for c in metrics['charts']['list'] if c['edition'] in ('public', 'both')]
assert public, 'no public chart'
for c in public:
    series = c['data'].get('series', {})
    assert set(series) <= {'synthetic'}, (c['id'], sorted(series))
    for s in series.values():
        counts = s.get('counts', []) if isinstance(s, dict) else []
        assert all(n == 0 or n >= k for n in counts), (c['id'], counts)
# The page embeds exactly the public charts' ids.
page = open('run/report/public.html').read()
ids = set(re.findall(r'"id":"([^"]+)"', page))
assert ids == {c['id'] for c in public}, sorted(ids ^ {c['id'] for c in public})
print(f'{len(public)} public charts: synthetic series only, no cell below {k}')
PY
echo "PASS: no canary in the public report; all three in the steward's"
