#!/usr/bin/env python3
"""Compares the ALT frequencies of synthetic genomes with the donors' (two plink2 .afreq files of
the same variants): r^2 over variants with MAF >= 1% and over all variants polymorphic in the
donors, the mean absolute frequency difference, the mean frequency of the donors' minor allele
among their rare variants (MAF < 1%) in both, and the donors' polymorphic variants the synthetic
genomes lost (monomorphic there). Usage: afreq_compare.py DONORS.afreq SYNTHETIC.afreq LABEL"""
import sys


def read(path):
    return [float(l.split('\t')[4]) for l in open(path) if not l.startswith('#')]


def r2(pairs):
    n = len(pairs)
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    return sxy * sxy / (sxx * syy)


a, b = read(sys.argv[1]), read(sys.argv[2])
assert len(a) == len(b), 'the two files list other variants'
common = [(x, y) for x, y in zip(a, b) if min(x, 1 - x) >= 0.01]
poly = [(x, y) for x, y in zip(a, b) if 0 < x < 1]
rare = [(x, y) if x <= 0.5 else (1 - x, 1 - y) for x, y in poly if min(x, 1 - x) < 0.01]
lost = sum(1 for x, y in poly if y in (0.0, 1.0))
print('%-18s r2 MAF>=1%% (%d) %.6f | r2 polymorphic (%d) %.6f | mean |dAF| %.6f | rare (%d) minor AF donors %.6f synthetic %.6f | lost %d' % (
    sys.argv[3], len(common), r2(common), len(poly), r2(poly), sum(abs(x - y) for x, y in poly) / len(poly),
    len(rare), sum(x for x, _ in rare) / len(rare), sum(y for _, y in rare) / len(rare), lost))
