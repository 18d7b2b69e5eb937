#!/usr/bin/env python3
"""A metrics.json `genomes` section computed from the real chr20 panel by plink, for the report
tests: the panel's samples split in three (reference, stand-in "synthetic", hold-out), and every
number computed as docs/metrics.md defines it, from plink2 --freq / --pca / --make-king-table and
plink1.9 --r2 / --distance on those groups. Only the longest copied segment, which needs a
generator's provenance, is left null. Usage: genome_section.py VCF WORKDIR OUT.json"""
import json
import math
import subprocess
import sys

vcf, work, out_path = sys.argv[1:4]


def run(*args):
    subprocess.run(list(args), check=True, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


samples = subprocess.run(['bcftools', 'query', '-l', vcf], check=True, capture_output=True, text=True).stdout.split()
groups = {'reference': samples[:150], 'synthetic': samples[150:250], 'holdout': samples[250:]}
# Sample lists: IID only for plink2 (its .psam has no FID), FID = IID for plink1.9 (--double-id).
groups['refsyn'] = groups['reference'] + groups['synthetic']
for name, ids in groups.items():
    with open(f'{work}/{name}.txt', 'w') as f:
        f.writelines(f'{i}\n' for i in ids)
    with open(f'{work}/{name}.fid.txt', 'w') as f:
        f.writelines(f'{i} {i}\n' for i in ids)
refsyn = groups.pop('refsyn')

# Genetic position of every site (INFO/CM).
cm = {}
for line in subprocess.run(['bcftools', 'query', '-f', '%ID\t%INFO/CM\n', vcf], check=True, capture_output=True,
                           text=True).stdout.splitlines():
    site, position = line.split('\t')
    cm[site] = float(position)


def pearson_r2(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy * sxy / (sxx * syy)


# Allele frequencies (plink2 --freq).
run('plink2', '--vcf', vcf, '--make-pgen', '--out', 'panel')
freq = {}
for name in groups:
    run('plink2', '--pfile', 'panel', '--keep', f'{name}.txt', '--freq', '--out', f'freq-{name}')
    with open(f'{work}/freq-{name}.afreq') as f:
        next(f)
        freq[name] = [float(line.split('\t')[4]) for line in f]
p, q, h = freq['reference'], freq['synthetic'], freq['holdout']
allele_frequency = {'variants': len(p), 'maf_min': 0.0, 'r2': pearson_r2(p, q),
                    'mean_abs_diff': sum(abs(a - b) for a, b in zip(p, q)) / len(p),
                    'r2_holdout': pearson_r2(q, h), 'r2_train_vs_holdout': pearson_r2(p, h)}

# LD decay: mean r^2 (plink1.9 --r2, genotype-based) by 0.1 cM bin of the pair's distance.
bin_cm, bins_count = 0.1, 5
bins = [{'cm_from': round(b * bin_cm, 10), 'cm_to': round((b + 1) * bin_cm, 10)} for b in range(bins_count)]
for name in ('reference', 'synthetic'):
    run('plink1.9', '--vcf', vcf, '--double-id', '--keep', f'{name}.fid.txt', '--maf', '0.05', '--thin-count', '800',
        '--seed', '1', '--r2', '--ld-window-kb', '1000', '--ld-window', '99999', '--ld-window-r2', '0',
        '--out', f'ld-{name}')
    sums, counts = [0.0] * bins_count, [0] * bins_count
    with open(f'{work}/ld-{name}.ld') as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[2] not in cm or fields[5] not in cm or fields[6] == 'nan':
                continue
            b = int(abs(cm[fields[5]] - cm[fields[2]]) / bin_cm)
            if b < bins_count:
                sums[b] += float(fields[6])
                counts[b] += 1
    key = 'real' if name == 'reference' else 'synthetic'
    for b in range(bins_count):
        bins[b][key] = sums[b] / counts[b] if counts[b] else None
        bins[b]['pairs_' + key] = counts[b]
ld_decay = {'bin_cm': bin_cm, 'bins': bins,
            'mean_abs_diff': sum(abs(b['real'] - b['synthetic']) for b in bins if b['real'] is not None and
                                 b['synthetic'] is not None) / bins_count}

# PCA (plink2 --pca) of reference and stand-in synthetic individuals together.
run('plink2', '--pfile', 'panel', '--keep', 'refsyn.txt', '--pca', '2', '--out', 'pca')
coordinates = {}
with open(f'{work}/pca.eigenvec') as f:
    next(f)
    for line in f:
        iid, pc1, pc2 = line.split()[:3]
        coordinates[iid] = [float(pc1), float(pc2)]
with open(f'{work}/pca.eigenval') as f:
    eigenvalues = [float(x) for x in f]
pca = {'components': 2, 'explained_variance': eigenvalues,
       'reference': [coordinates[i] for i in groups['reference']],
       'synthetic': [coordinates[i] for i in groups['synthetic']]}

# KING-robust kinship (plink2 --make-king-table): each individual's closest reference relative.
run('plink2', '--pfile', 'panel', '--make-king-table', '--out', 'king')
reference = set(groups['reference'])
closest = {}
with open(f'{work}/king.kin0') as f:
    next(f)
    for line in f:
        a, b, kinship = line.split()[0], line.split()[1], float(line.split()[5])
        for me, other in ((a, b), (b, a)):
            if other in reference and me not in reference:
                closest[me] = max(closest.get(me, -1.0), kinship)


def quantile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


def kinship_summary(ids, edges):
    values = [closest[i] for i in ids]
    counts = [0] * (len(edges) - 1)
    for v in values:
        counts[min(len(counts) - 1, max(0, int((v - edges[0]) / (edges[1] - edges[0]))))] += 1
    return {'median': quantile(values, 0.5), 'p95': quantile(values, 0.95), 'histogram': {'edges': edges, 'counts': counts}}


all_closest = [closest[i] for i in groups['synthetic'] + groups['holdout']]
low, high = min(all_closest), max(all_closest)
edges = [low + (high - low) * k / 20 for k in range(21)]
holdout_p95 = quantile([closest[i] for i in groups['holdout']], 0.95)
kinship = {'synthetic_max': kinship_summary(groups['synthetic'], edges),
           'holdout_max': kinship_summary(groups['holdout'], edges),
           'share_closer_than_holdout': sum(closest[i] > holdout_p95 for i in groups['synthetic']) / len(groups['synthetic'])}

# AATS from plink1.9's IBS distances between reference and stand-in synthetic individuals.
run('plink1.9', '--vcf', vcf, '--double-id', '--keep', 'refsyn.fid.txt', '--distance', 'square', '1-ibs', '--out', 'dist')
with open(f'{work}/dist.mdist.id') as f:
    ids = [line.split()[1] for line in f]
with open(f'{work}/dist.mdist') as f:
    matrix = [[float(x) for x in line.split()] for line in f]
synthetic = set(groups['synthetic'])


def nearest(i, in_group):
    return min(matrix[i][j] for j in range(len(ids)) if j != i and in_group(ids[j]))


truth = [i for i in range(len(ids)) if ids[i] in reference]
synth = [i for i in range(len(ids)) if ids[i] in synthetic]
aa_truth = sum(nearest(i, lambda s: s in synthetic) > nearest(i, lambda s: s in reference) for i in truth) / len(truth)
aa_synthetic = sum(nearest(i, lambda s: s in reference) > nearest(i, lambda s: s in synthetic) for i in synth) / len(synth)

section = {'allele_frequency': allele_frequency, 'ld_decay': ld_decay, 'pca': pca, 'kinship': kinship,
           'aats': {'aa_truth': aa_truth, 'aa_synthetic': aa_synthetic, 'aats': (aa_truth + aa_synthetic) / 2},
           'longest_copied_segment_cm': None}
assert all(math.isfinite(x) for x in (allele_frequency['r2'], ld_decay['mean_abs_diff'], aa_truth, aa_synthetic))
with open(out_path, 'w') as f:
    json.dump(section, f)
