#!/usr/bin/env python3
"""Statistics of tests/genome/phenotype_quality.sh, in plain Python 3 (no numpy needed).

Reads the synthetic persons and events CSVs, the PLINK .fam, plink2's --freq of the synthetic
genomes and plink2's --score sums (one column per block of causal variants and trait, written by
`blocks` below), and checks each property within 3 standard errors (formulas beside each check).

  phenotype_check.py blocks EFFECTS_Q EFFECTS_B BLOCKS OUT   score file: one column per (trait, block)
  phenotype_check.py check  ARGS...                          see main()
"""
import csv
import math
import sys


def read_effects(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter='\t'))


def write_blocks(effects_q, effects_b, blocks, out):
    """Causal variants cut into `blocks` runs along the genome (by the union's order); column
    (trait t, block k) holds trait t's BETA for the variants of block k, 0 elsewhere."""
    q, b = read_effects(effects_q), read_effects(effects_b)
    variants = sorted({r['VARIANT'] for r in q + b},
                      key=lambda v: (v.split(':')[0], int(v.split(':')[1]), v))
    block_of = {v: i * blocks // len(variants) for i, v in enumerate(variants)}
    alt = {r['VARIANT']: r['ALT'] for r in q + b}
    beta = [{r['VARIANT']: r['BETA'] for r in q}, {r['VARIANT']: r['BETA'] for r in b}]
    with open(out, 'w') as f:
        f.write('VARIANT\tALT\t' + '\t'.join('t%d_b%d' % (t, k) for t in (0, 1) for k in range(blocks)) + '\n')
        for v in variants:
            cols = []
            for t in (0, 1):
                for k in range(blocks):
                    cols.append(beta[t].get(v, '0') if block_of[v] == k else '0')
            f.write(v + '\t' + alt[v] + '\t' + '\t'.join(cols) + '\n')


def mean(x):
    return sum(x) / len(x)


def cov(x, y):
    mx, my = mean(x), mean(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / len(x)


def corr(x, y):
    return cov(x, y) / math.sqrt(cov(x, x) * cov(y, y))


def normal_pdf(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def normal_quantile(p):
    lo, hi = -10.0, 10.0  # bisection on erf: independent of the code under test
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


class Checks:
    def __init__(self):
        self.failed = []

    def within(self, what, estimate, expected, se, formula):
        z = (estimate - expected) / se
        ok = abs(z) <= 3
        print('%-44s %.5f  expected %.4f  SE %.5f (%s)  z %+.2f  %s'
              % (what, estimate, expected, se, formula, z, 'ok' if ok else 'MISS'))
        if not ok:
            self.failed.append(what)

    def require(self, what, ok, detail=''):
        print('%-44s %s %s' % (what, 'ok' if ok else 'MISS', detail))
        if not ok:
            self.failed.append(what)


def main():
    if sys.argv[1] == 'blocks':
        write_blocks(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return 0
    (persons_csv, events_csv, real_events_csv, fam, afreq, sscore, effects_q, effects_b, trait_q, trait_b,
     h2_q, h2_b, prevalence, rg, alpha, event_code, blocks) = sys.argv[2:]
    h2_q, h2_b, prevalence, rg, alpha, blocks = map(float, (h2_q, h2_b, prevalence, rg, alpha, blocks))
    blocks = int(blocks)
    c = Checks()

    # The link: individual i (SYN%08d of i + 1) is the person with key i + 1; every genome has one person.
    persons = list(csv.DictReader(open(persons_csv, newline='')))
    samples = [line.split()[1] for line in open(fam)]
    with_genome = [p for p in persons if p['genome_id'] not in ('', 'NA')]
    ids = [p['genome_id'] for p in with_genome]
    c.require('every genome belongs to exactly one person',
              sorted(ids) == sorted(samples) and len(set(ids)) == len(ids), '(%d genomes, %d persons with one)' % (len(samples), len(ids)))
    c.require('person i + 1 holds genome SYN(i + 1)',
              all(p['genome_id'] == 'SYN%08d' % int(p['id']) for p in with_genome))
    c.require('persons without a genome have no trait values',
              all(p[trait_q] in ('', 'NA') and p[trait_b] in ('', 'NA') for p in persons if p['genome_id'] in ('', 'NA')))
    by_sample = {p['genome_id']: p for p in with_genome}
    n = len(samples)

    # plink2's sums per (trait, block) column; G_t = sum over blocks (+ a constant offset).
    rows = [line.split() for line in open(sscore)]
    head = rows[0]
    col = {name: i for i, name in enumerate(head)}
    sums = [col['SCORE%d_SUM' % (j + 1)] for j in range(2 * blocks)]  # score columns in file order
    block_sums = {r[col['IID']]: [float(r[i]) for i in sums] for r in rows[1:]}
    order = samples
    parts = [[block_sums[s][t * blocks + k] for s in order] for t in (0, 1) for k in range(blocks)]
    score = [[sum(parts[t * blocks + k][i] for k in range(blocks)) for i in range(n)] for t in (0, 1)]
    y = [float(by_sample[s][trait_q]) for s in order]
    case = [int(by_sample[s][trait_b]) for s in order]

    # Heritability, quantitative: var(score) = h2 by construction (GCTA's scaling, checked to plink2's
    # 6 printed digits); R^2 of the trait on the score estimates h2, SE = sqrt(4 h2 (1 - h2)^2 / N)
    # (Olkin & Finn's large-sample variance of R^2).
    c.require('var(plink2 score) = h2 (quantitative)', abs(cov(score[0], score[0]) - h2_q) < 1e-3 * h2_q,
              '%.6f vs %.3f' % (cov(score[0], score[0]), h2_q))
    r2 = corr(score[0], y) ** 2
    c.within('heritability (quantitative, R^2 on score)', r2, h2_q, math.sqrt(4 * h2_q * (1 - h2_q) ** 2 / n),
             'sqrt(4 h2 (1-h2)^2 / N)')

    # Prevalence: cases / N, SE sqrt(K (1 - K) / N).
    cases = sum(case)
    c.within('prevalence', cases / n, prevalence, math.sqrt(prevalence * (1 - prevalence) / n), 'sqrt(K(1-K)/N)')

    # Heritability, binary, on the liability scale: E[G | case] - E[G | control] = h2 phi(T) / (K (1 - K))
    # (E[G | Y] = h2 Y for var(Y) = 1, T = Phi^-1(1 - K)); SE of the difference of means,
    # sqrt(var_case / n_case + var_control / n_control), over the same factor.
    c.require('var(plink2 score) = h2 (binary)', abs(cov(score[1], score[1]) - h2_b) < 1e-3 * h2_b)
    threshold = normal_quantile(1 - prevalence)
    factor = normal_pdf(threshold) / (prevalence * (1 - prevalence))
    g_case = [g for g, k in zip(score[1], case) if k]
    g_control = [g for g, k in zip(score[1], case) if not k]
    difference = mean(g_case) - mean(g_control)
    se = math.sqrt(cov(g_case, g_case) / len(g_case) + cov(g_control, g_control) / len(g_control)) / factor
    c.within('heritability (binary, liability scale)', difference / factor, h2_b, se,
             '(mean G case - control) / (phi(T)/(K(1-K)))')

    # Genetic correlation of the genetic values, with a delete-one-block jackknife SE over blocks of
    # causal variants (nearby causal variants are in LD, so they are not independent draws;
    # (1 - rg^2) / sqrt(M) is printed as the SE without LD).
    r_all = corr(score[0], score[1])
    loo = []
    for k in range(blocks):
        a = [score[0][i] - parts[k][i] for i in range(n)]
        b = [score[1][i] - parts[blocks + k][i] for i in range(n)]
        loo.append(corr(a, b))
    jk_se = math.sqrt((blocks - 1) / blocks * sum((r - mean(loo)) ** 2 for r in loo))
    q_effects, b_effects = read_effects(effects_q), read_effects(effects_b)
    shared = sorted({e['VARIANT'] for e in q_effects} & {e['VARIANT'] for e in b_effects})
    print('  (causal variants: %d and %d, shared %d; SE without LD (1-rg^2)/sqrt(M) = %.4f)'
          % (len(q_effects), len(b_effects), len(shared), (1 - rg * rg) / math.sqrt(len(shared))))
    c.within('genetic correlation of genetic values', r_all, rg, jk_se, 'block jackknife, %d blocks' % blocks)

    # The effects themselves: on shared causal variants (beta_1, beta_2) / [2p(1-p)]^(alpha/2) are
    # bivariate normal with correlation rg, independent across variants: SE (1 - rg^2) / sqrt(M).
    freq = {}
    with open(afreq) as f:
        h = f.readline().lstrip('#').split()
        for line in f:
            r = line.split()
            freq[r[h.index('ID')]] = float(r[h.index('ALT_FREQS')])
    qb = {e['VARIANT']: float(e['BETA']) for e in q_effects}
    bb = {e['VARIANT']: float(e['BETA']) for e in b_effects}
    sd = {v: (2 * freq[v] * (1 - freq[v])) ** (alpha / 2) for v in shared}
    c.within('correlation of standardised effects', corr([qb[v] / sd[v] for v in shared], [bb[v] / sd[v] for v in shared]),
             rg, (1 - rg * rg) / math.sqrt(len(shared)), '(1-rg^2)/sqrt(M)')

    # MAF dependence: slope of log(beta^2) on log(2p(1-p)) over causal variants (p from plink2 --freq
    # of the synthetic genomes) estimates alpha; SE from the regression, sqrt(RSS / (M - 2) / Sxx).
    for name, effects in (('quantitative', q_effects), ('binary', b_effects)):
        x = [math.log(2 * freq[e['VARIANT']] * (1 - freq[e['VARIANT']])) for e in effects]
        z = [math.log(float(e['BETA']) ** 2) for e in effects]
        slope = cov(x, z) / cov(x, x)
        intercept = mean(z) - slope * mean(x)
        rss = sum((b - intercept - slope * a) ** 2 for a, b in zip(x, z))
        se = math.sqrt(rss / (len(x) - 2) / (cov(x, x) * len(x)))
        c.within('MAF dependence alpha (%s)' % name, slope, alpha, se, 'regression SE')

    # Diagnosis events: one per case, none otherwise, inside follow-up and lifetime.
    events = list(csv.DictReader(open(events_csv, newline='')))
    by_id = {p['id']: p for p in persons}
    ours = [e for e in events if e['event'] == event_code]
    per_person = {}
    for e in ours:
        per_person[e['id']] = per_person.get(e['id'], 0) + 1
    # A case whose age or follow-up is missing gets no event (docs/phenotypes.md).
    case_ids = {by_sample[s]['id'] for s, k in zip(order, case)
                if k and by_sample[s]['age'] not in ('', 'NA') and by_sample[s]['futime'] not in ('', 'NA')}
    c.require('one onset event per case, none otherwise', set(per_person) == case_ids and all(v == 1 for v in per_person.values()),
              '(%d events, %d cases)' % (len(ours), len(case_ids)))
    inside = lifetime = 0
    for e in ours:
        p = by_id[e['id']]
        days, futime, age = int(e['days']), int(p['futime']), float(p['age'])
        inside += 0 <= days <= futime
        onset = age + days / 365.25
        lifetime += 0 <= age <= onset <= age + futime / 365.25
    c.require('every onset inside follow-up (0 <= days <= futime)', inside == len(ours))
    c.require('every onset inside the lifetime (age .. age + futime)', lifetime == len(ours))
    c.require('every event points to a synthetic person', all(e['id'] in by_id for e in events))
    # The sampled events keep their categories after the dictionary grew (codes moved with it): the
    # total variation distance to the real category shares stays small.
    real = list(csv.DictReader(open(real_events_csv, newline='')))
    others = [e['event'] for e in events if e['event'] != event_code]
    share = lambda rows, k: sum(1 for r in rows if r == k) / len(rows)
    categories = {r['event'] for r in real}
    tv = 0.5 * sum(abs(share(others, k) - share([r['event'] for r in real], k)) for k in categories | set(others))
    c.require('sampled event categories as in the real data', tv < 0.05, '(TV distance %.4f)' % tv)

    if c.failed:
        print('FAILED:', ', '.join(c.failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
