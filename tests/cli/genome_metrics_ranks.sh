#!/usr/bin/env bash
# `synthcohort evaluate` on genomes: the chr20 panel split in two (one half as real with 50
# individuals held out, the other as "synthetic"), 10 windows; metrics.json (with its `genomes`
# section) is byte-identical at 1, 2 and 4 ranks and at 1 thread per rank, every rank evaluated windows, and the section
# holds what docs/metrics.md promises.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/genome_metrics_common.sh"
split_panel 2500 50
for n in 1 2 4; do
  run_np $n evaluate --config real.ini --evaluate.genome_ld_max_cm 0.5 --evaluate.output metrics$n.json > evaluate$n.log
  grep -q "genomes: AF r2" evaluate$n.log || fail "no genome summary line at $n ranks"
  python3 - "$n" <<'PY' || fail "not every rank evaluated genome windows at $n ranks"
import json, sys
per_rank = json.load(open("run_real/provenance.json"))["stages"]["evaluate"]["summary"]["genomes"]["windows_per_rank"]
assert len(per_rank) == int(sys.argv[1]) and min(per_rank) > 0 and sum(per_rank) == 10, per_rank
PY
done
cmp metrics1.json metrics2.json || fail "metrics differ between 1 and 2 ranks"
cmp metrics1.json metrics4.json || fail "metrics differ between 1 and 4 ranks"
run_np 2 evaluate --config real.ini --evaluate.genome_ld_max_cm 0.5 --run.threads 1 --evaluate.output metrics_t1.json > evaluate_t1.log
cmp metrics1.json metrics_t1.json || fail "metrics differ between 1 thread and all threads per rank"
python3 - <<'PY' || fail "the genomes section is not as documented"
import json
g = json.load(open("metrics1.json"))["genomes"]
assert g["individuals"] == {"synthetic": 150, "training": 100, "holdout": 50}, g["individuals"]
af = g["allele_frequency"]
for key in ("variants", "maf_min", "r2", "mean_abs_diff", "r2_holdout", "r2_train_vs_holdout"):
    assert key in af, key
assert af["variants"] == 24990
ld = g["ld_decay"]
assert ld["bin_cm"] == 0.1 and len(ld["bins"]) == 5
for b in ld["bins"]:
    assert set(b) >= {"cm_from", "cm_to", "real", "synthetic", "pairs_real", "pairs_synthetic"} and b["pairs_real"] > 0
pca = g["pca"]
assert pca["components"] == 10 and len(pca["explained_variance"]) == 10
assert len(pca["reference"]) == 100 and len(pca["synthetic"]) == 150 and len(pca["holdout"]) == 50
assert all(len(row) == 2 for row in pca["reference"] + pca["synthetic"])
k = g["kinship"]
for side, count in (("synthetic_max", 150), ("holdout_max", 50)):
    h = k[side]["histogram"]
    assert sum(h["counts"]) == count and len(h["edges"]) == len(h["counts"]) + 1, side
    assert k[side]["median"] <= k[side]["p95"]
assert 0 <= k["share_closer_than_holdout"] <= 1
assert set(g["aats"]) >= {"aa_truth", "aa_synthetic", "aats"}
assert "longest_copied_segment_cm" in g and g["longest_copied_segment_cm"] is None
print("genomes section:", json.dumps({"af_r2": af["r2"], "aats": g["aats"]["aats"],
      "share_closer_than_holdout": k["share_closer_than_holdout"]}))
PY
# evaluate.genome_metrics: the metrics left out are absent, the others the same bits, and the
# report renders from such a metrics.json.
run_np 2 evaluate --config real.ini --evaluate.genome_ld_max_cm 0.5 --evaluate.genome_metrics " ld,pca" \
  --evaluate.output metrics_some.json > evaluate_some.log
python3 - <<'PY' || fail "evaluate.genome_metrics did not select the metrics"
import json
full, some = json.load(open("metrics1.json"))["genomes"], json.load(open("metrics_some.json"))["genomes"]
assert not {"allele_frequency", "kinship", "aats"} & set(some), sorted(some)
assert some["ld_decay"] == full["ld_decay"] and some["pca"] == full["pca"]
PY
run_np 1 report --config real.ini --report.metrics metrics_some.json --report.dir report_some > report_some.log \
  || { cat report_some.log; fail "no report from a metrics.json without kinship"; }
grep -q "LD decay" report_some/steward.html || fail "the steward's report lacks the LD decay chart"
echo "PASS: genome metrics identical at 1, 2, 4 ranks; every rank evaluated windows; metrics selectable"
