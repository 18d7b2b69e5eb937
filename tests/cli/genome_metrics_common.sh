# Shared by the genome metrics CLI tests: the bundled chr20 panel split in two by sample (odd VCF
# columns "real", even ones "synthetic", bcftools view -S keeps every site), each half ingested
# into its own run; real.ini evaluates the real run against the other run's panel.
# Usage: split_panel VARIANTS_PER_WINDOW HOLDOUT_SAMPLES
split_panel() {
  local vcf="$SC_DATA_DIR/genomes/reference.vcf.gz"
  bcftools query -l "$vcf" | awk 'NR % 2 == 1' > real.samples
  bcftools query -l "$vcf" | awk 'NR % 2 == 0' > synthetic.samples
  for side in real synthetic; do
    bcftools view -S $side.samples -Oz -o $side.vcf.gz "$vcf"
    cat > $side.ini <<INI
[run]
dir = run_$side
[ingest]
variants_per_window = $1
[genome]
vcf = $side.vcf.gz
map = $SC_DATA_DIR/genomes/chr20.b37.gmap.gz
holdout_samples = $2
[evaluate]
synthetic_store = run_synthetic/store
synthetic_stage = ingest
genome_synthetic_group = genomes/reference
INI
    run_np 2 ingest --config $side.ini > ingest_$side.log
  done
}
