"""Resources of each pipeline stage (ranks, memory per rank, time limit, GPUs), derived from the
config and from the per-rank throughputs measured in docs/benchmarks.md.

Shards are a property of the data, so the useful number of ranks of a stage is the largest shard
count of any of its tables (shard s goes to rank s % ranks): more ranks than that would idle.
The cluster caps it (slurm.max_ranks, or the partition's CPUs at slurm.cpus_per_rank each).
Memory and time come from the models below; docs/operations.md shows the same numbers as a table
and says which are measured and which are assumed.
"""
import gzip
import math
import os

from pipeline_config import ConfigError

MiB = 1 << 20

# Per-rank models: (rows per second per rank, fixed MiB, bytes per row held). The sources are the
# rows of docs/benchmarks.md named beside each (dev-2c, Release, 1 thread per rank).
INGEST_ROWS_PER_S = 3.85e6      # "Ingest of registry tables", labs10m.csv, 2 x 1: 3.85 M rows/s per rank
INGEST_BASE_MIB = 64
INGEST_BYTES_PER_ROW = 70       # 368 MiB peak for 5.0 M rows per rank (same row)
FIT_ROWS_PER_S = 0.49e6         # "Registry generator at scale", fit 2 x 1: 0.49 M rows/s per core
FIT_BASE_MIB = 256
FIT_BYTES_PER_ROW = 70          # 1718 MiB on every rank for 26.2 M rows in all (grows with all rows)
SAMPLE_ROWS_PER_S = 0.93e6      # same table, sample 2 x 1: 0.93 M rows/s per core
SAMPLE_BASE_MIB = 64
SAMPLE_BYTES_PER_PARENT_ROW = 150  # 143 MiB for 1.02 M persons (node states, children counts)
DCR_PAIRS_PER_S = 5.6e8         # "Exact DCR", 1 thread: 5.6e8 pairs/s
# Not measured yet (assumptions, stated as such in docs/operations.md):
EVALUATE_ROWS_PER_S = 1.0e6     # per rank, besides the DCR pairs
EVALUATE_BASE_MIB = 256
EVALUATE_BYTES_PER_ROW = 40     # real + synthetic rows of the rank's shards
EVALUATE_BYTES_PER_REFERENCE_ROW = 200  # every rank holds the real root rows for the DCR (values and encoding)
EXPORT_ROWS_PER_S = 1.0e6
EXPORT_BASE_MIB = 256
MIN_MIB_PER_RANK = 256          # an MPI rank with HDF5 and TBB loaded, before any data
MEMORY_MARGIN = 1.25            # on top of every memory model
EXACT_COUNT_LIMIT = 512 * MiB   # inputs up to this size are counted exactly, larger ones sampled
SAMPLE_BYTES = 16 * MiB


def _open(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def count_lines(path, skip_prefix=None):
    """Data lines of a (possibly gzip) text file; an estimate from the first SAMPLE_BYTES of
    text when the file is large. Header lines starting with skip_prefix are not counted."""
    if not path or not os.path.exists(path):
        raise ConfigError(f"input file {path or '(unset)'} does not exist")
    size = os.path.getsize(path)
    lines = header = 0
    text_bytes = 0
    with _open(path) as f:
        exact = size <= EXACT_COUNT_LIMIT
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            lines += block.count(b"\n")
            if skip_prefix and text_bytes == 0:
                header = sum(1 for line in block.split(b"\n") if line.startswith(skip_prefix))
            text_bytes += len(block)
            if not exact and text_bytes >= SAMPLE_BYTES:
                # Scale by the compressed bytes read so far.
                raw = f.fileobj.tell() if hasattr(f, "fileobj") else f.tell()
                return max(1, int(lines * size / max(1, raw)) - header)
    return max(0, lines - header)


class Plan:
    """Per-stage resources: ranks, cpus_per_rank, mem_mib (per rank), minutes, gpus_per_rank."""

    def __init__(self, config, cluster_cpus, cluster_has_gpu):
        self.config = config
        self.cpus_per_rank = config.integer("slurm.cpus_per_rank", 1)
        if self.cpus_per_rank < 1:
            raise ConfigError(f"{config.where('slurm.cpus_per_rank')}: key 'slurm.cpus_per_rank': expected a positive number of CPUs")
        max_ranks = config.integer("slurm.max_ranks", 0)
        if max_ranks < 0:
            raise ConfigError(f"{config.where('slurm.max_ranks')}: key 'slurm.max_ranks': expected 0 or a positive number")
        self.cap = max_ranks if max_ranks > 0 else max(1, cluster_cpus // self.cpus_per_rank)
        self.time_factor = config.real("slurm.time_factor", 3.0)
        self.min_minutes = config.integer("slurm.min_time_minutes", 10)
        self.cluster_has_gpu = cluster_has_gpu
        self._measure()

    def _measure(self):
        c = self.config
        rows_per_shard = c.integer("ingest.rows_per_shard", 100000)
        sample_rows_per_shard = c.integer("sample.rows_per_shard", 0) or rows_per_shard
        self.real_rows = {}
        self.parent_of = {}
        for name, table in c.tables():
            self.real_rows[name] = count_lines(table["file"]) - (0 if c.text(f"table.{name}.header", "true") in ("false", "no", "0", "off") else 1)
            self.parent_of[name] = table["parent"]
        roots = [n for n in self.real_rows if not self.parent_of[n]]
        persons = c.integer("sample.persons", 0)
        scale = 1.0
        if roots and persons > 0 and self.real_rows[roots[0]] > 0:
            scale = persons / self.real_rows[roots[0]]
        self.synthetic_rows = {n: int(round(r * scale)) for n, r in self.real_rows.items()}
        self.ingest_shards = {n: max(1, math.ceil(r / rows_per_shard)) for n, r in self.real_rows.items()}
        self.sample_shards = {n: max(1, math.ceil(r / sample_rows_per_shard)) for n, r in self.synthetic_rows.items()}
        self.variants = 0
        if c.text("genome.vcf"):
            self.variants = count_lines(c.input_path("genome.vcf"), skip_prefix=b"#")
            windows = max(1, math.ceil(self.variants / c.integer("ingest.variants_per_window", 10000)))
            self.ingest_shards["genomes/reference"] = windows
        self.parents_with_children = sum(r for n, r in self.synthetic_rows.items()
                                         if any(self.parent_of[m] == n for m in self.parent_of))

    def _minutes(self, seconds):
        return max(self.min_minutes, math.ceil(seconds * self.time_factor / 60))

    def _ranks(self, shards):
        return max(1, min(self.cap, max(shards.values(), default=1)))

    def stage(self, name):
        real_total = sum(self.real_rows.values())
        synthetic_total = sum(self.synthetic_rows.values())
        gpus = 0
        if name == "ingest":
            ranks = self._ranks(self.ingest_shards)
            per_rank = real_total / ranks
            mem = INGEST_BASE_MIB + INGEST_BYTES_PER_ROW * per_rank / MiB
            seconds = per_rank / INGEST_ROWS_PER_S
        elif name == "fit":
            ranks = self._ranks(self.ingest_shards)
            mem = FIT_BASE_MIB + FIT_BYTES_PER_ROW * real_total / MiB
            seconds = real_total / (FIT_ROWS_PER_S * ranks)
        elif name == "sample":
            ranks = self._ranks(self.sample_shards)
            mem = SAMPLE_BASE_MIB + SAMPLE_BYTES_PER_PARENT_ROW * self.parents_with_children / MiB
            seconds = synthetic_total / (SAMPLE_ROWS_PER_S * ranks)
            # Both kernels of the sample stage may ask for the GPU (the defaults are cpu).
            backends = {key: self.config.text(key, "cpu") for key in ("sample.backend", "genome.backend")}
            for key, backend in backends.items():
                if backend == "cuda" and not self.cluster_has_gpu:
                    raise ConfigError(f"{self.config.where(key)}: key '{key}' = cuda asks for a GPU per "
                                      "rank, but the partition offers no GPU (no gpu gres in sinfo); use cpu or auto")
            gpus = 1 if any(b == "cuda" or (b == "auto" and self.cluster_has_gpu) for b in backends.values()) else 0
        elif name == "evaluate":
            ranks = self._ranks({**self.ingest_shards, **self.sample_shards})
            roots = [n for n in self.real_rows if not self.parent_of[n]]
            pairs = sum(self.real_rows[n] * self.synthetic_rows[n] for n in roots)
            mem = (EVALUATE_BASE_MIB + EVALUATE_BYTES_PER_ROW * (real_total + synthetic_total) / ranks / MiB
                   + EVALUATE_BYTES_PER_REFERENCE_ROW * sum(self.real_rows[n] for n in roots) / MiB)
            seconds = pairs / (DCR_PAIRS_PER_S * ranks * self.cpus_per_rank) + (real_total + synthetic_total) / (EVALUATE_ROWS_PER_S * ranks)
        else:  # export, and stages added later: as export until measured
            ranks = self._ranks(self.sample_shards)
            mem = EXPORT_BASE_MIB
            seconds = synthetic_total / (EXPORT_ROWS_PER_S * ranks)
        mem_per_cpu = math.ceil(max(MIN_MIB_PER_RANK, MEMORY_MARGIN * mem) / self.cpus_per_rank)
        return {"stage": name, "ranks": ranks, "cpus_per_rank": self.cpus_per_rank, "mem_mib_per_cpu": mem_per_cpu,
                "mem_mib_per_rank": mem_per_cpu * self.cpus_per_rank, "minutes": self._minutes(seconds),
                "gpus_per_rank": gpus, "estimated_seconds": round(seconds, 1)}

    def summary(self):
        return {"real_rows": self.real_rows, "synthetic_rows": self.synthetic_rows, "ingest_shards": self.ingest_shards,
                "sample_shards": self.sample_shards, "variants": self.variants, "rank_cap": self.cap}
