"""Turns scrm's ms-format output (one replicate) into two phased VCFs for the genome metrics
benchmark: the first REF individuals (haplotypes 2i, 2i+1) as the reference panel, the next ones
as the "synthetic" panel, on contig 1 of LENGTH bp; positions are scrm's relative positions times
LENGTH, made strictly increasing. Also writes a linear genetic map (1 cM per Mb, shapeit format).
Usage: genome_ms_to_vcf.py MS_FILE REF LENGTH OUT_PREFIX   (needs numpy)"""
import sys

import numpy as np

ms_file, ref, length, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(ms_file, "rb") as f:
    lines = f.read().split(b"\n")
start = next(i for i, line in enumerate(lines) if line.startswith(b"positions:"))
positions = np.array(lines[start].split()[1:], dtype=float)
haplotypes = [line for line in lines[start + 1:] if line]
alleles = np.frombuffer(b"".join(haplotypes), dtype=np.uint8).reshape(len(haplotypes), len(positions)) - ord("0")
bp = np.maximum(1, (positions * length).astype(np.int64))
for k in range(1, len(bp)):  # strictly increasing
    if bp[k] <= bp[k - 1]:
        bp[k] = bp[k - 1] + 1
individuals = len(haplotypes) // 2


def write(path, first, count):
    header = ("##fileformat=VCFv4.2\n##contig=<ID=1,length=%d>\n"
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" % (bp[-1] + 1))
    names = "\t".join("i%d" % (first + i) for i in range(count))
    with open(path, "wb") as out:
        out.write((header + names + "\n").encode())
        block = alleles[2 * first:2 * (first + count)]
        cells = np.empty((count, 4), dtype=np.uint8)
        cells[:, 1] = ord("|")
        cells[:, 3] = ord("\t")
        for v in range(len(bp)):
            cells[:, 0] = block[0::2, v] + ord("0")
            cells[:, 2] = block[1::2, v] + ord("0")
            row = cells.tobytes()[:-1]
            out.write(b"1\t%d\t.\tA\tG\t.\tPASS\t.\tGT\t" % bp[v] + row + b"\n")


write(prefix + "_reference.vcf", 0, ref)
write(prefix + "_synthetic.vcf", ref, individuals - ref)
with open(prefix + ".map", "w") as out:
    out.write("pos chr cM\n1 1 0\n%d 1 %.6f\n" % (bp[-1] + 1, (bp[-1] + 1) / 1e6))
print("%d sites, %d reference and %d synthetic individuals" % (len(bp), ref, individuals - ref))
