# Shared by the report tests: a small nafld extract (800 persons with their labs and events, cut
# into >= 8 shards per table), its config, and the headless-browser check of a report.
source "$SC_SOURCE_DIR/tests/cli/common.sh"

# write_small_nafld DIR [canaries]: the first 800 persons of nafld1 (with a date column `entry`)
# and their nafld2/nafld3 rows as CSV in DIR. With "canaries", three values are planted in the real input: an extreme weight
# (987654.25), a rare status category (RARECAT_QZ) and a unique identifier-like lab test name
# (ID-7F3K9-CANARY).
write_small_nafld() {
  mkdir -p "$1"
  python3 - "$SC_DATA_DIR/registry" "$1" "${2:-}" <<'PY'
import csv, datetime, gzip, sys
source, out, canaries = sys.argv[1], sys.argv[2], sys.argv[3] == 'canaries'
def read(name):
    with gzip.open(f'{source}/{name}', 'rt', newline='') as f:
        return list(csv.reader(f))
persons = read('nafld1.csv.gz')
header, rows = persons[0], persons[1:801]
ids = {r[0] for r in rows}
labs, events = read('nafld2.csv.gz'), read('nafld3.csv.gz')
lab_rows = [r for r in labs[1:] if r[0] in ids]
event_rows = [r for r in events[1:] if r[0] in ids]
# A date column (the nafld extract has none), so that a calendar axis is drawn too.
header.append('entry')
for r in rows:
    r.append((datetime.date(1995, 1, 1) + datetime.timedelta(days=int(r[header.index('futime')]) // 3)).isoformat())
if canaries:
    rows[0][header.index('weight')] = '987654.25'
    rows[1][header.index('status')] = 'RARECAT_QZ'
    lab_rows[5][labs[0].index('test')] = 'ID-7F3K9-CANARY'
for name, head, body in (('persons', header, rows), ('labs', labs[0], lab_rows), ('events', events[0], event_rows)):
    with open(f'{out}/{name}.csv', 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(head)
        writer.writerows(body)
PY
}

# write_small_config FILE DATA_DIR: the nafld schema on the small extract, half of the persons
# held out of the fit.
write_small_config() {
  cat > "$1" <<INI
[run]
seed = 7
[ingest]
rows_per_shard = 100
[table.persons]
file = $2/persons.csv
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical, entry:date
[table.labs]
file = $2/labs.csv
parent = persons
foreign_key = id
columns = days:day_offset, test:categorical, value:real
[table.events]
file = $2/events.csv
parent = persons
foreign_key = id
columns = days:day_offset, event:categorical
[evaluate]
holdout_fraction = 0.5
INI
}

chromium_headless() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --user-data-dir="$(mktemp -d "$SC_WORK/chromium-XXXXXX")" "$@"
}

# render_check HTML METRICS EDITION SCREENSHOT: opens the report in headless Chromium, reads the
# page's render record (<pre id="render-status">) and fails on any script error, on a chart of
# this edition in metrics.json that did not render marks, or on a chart it did not list; then
# saves a screenshot.
render_check() {
  local html=$1 metrics=$2 edition=$3 screenshot=$4
  chromium_headless --virtual-time-budget=30000 --dump-dom "file://$(realpath "$html")" > "$edition.dom.html" \
    2> "$edition.chromium.log" || fail "chromium could not open $html (see $edition.chromium.log)"
  python3 - "$edition.dom.html" "$metrics" "$edition" <<'PY' || fail "$edition report did not render every chart"
import html, json, re, sys
dom, metrics, edition = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
found = re.search(r'<pre id="render-status">(.*?)</pre>', dom, re.S)
assert found and found.group(1), 'no render record in the page'
status = json.loads(html.unescape(found.group(1)))
assert status['done'], 'rendering did not finish'
assert not status['errors'], f"script errors: {status['errors']}"
expected = [c['id'] for c in metrics['charts']['list'] if c['edition'] in (edition, 'both')]
assert expected, 'metrics.json lists no chart for this edition'
assert sorted(status['marks']) == sorted(expected), f"charts rendered {sorted(status['marks'])} != listed {sorted(expected)}"
empty = [k for k, n in status['marks'].items() if n <= 0]
assert not empty, f'charts without marks: {empty}'
print(f"{edition}: {len(expected)} charts, {sum(status['marks'].values())} marks, no script error")
PY
  chromium_headless --virtual-time-budget=30000 --window-size=1200,9000 --hide-scrollbars \
    --screenshot="$screenshot" "file://$(realpath "$html")" >> "$edition.chromium.log" 2>&1
  [ -s "$screenshot" ] || fail "no screenshot of $html"
  echo "screenshot: $screenshot"
}
