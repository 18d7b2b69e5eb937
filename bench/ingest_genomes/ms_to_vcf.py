#!/usr/bin/env python3
"""Turns one locus of ms/scrm output (haplotypes as rows of '0'/'1') into a phased VCF on stdout.

Consecutive haplotypes pair into diploid individuals (haplotypes 2i and 2i+1 are ind{i+1}'s
first and second allele). scrm prints positions relative to the locus, in [0, 1); they are scaled
to base pairs of a locus of --length bp (1-based) and, where two round to the same base pair,
moved to the next free one, so positions are unique and strictly increasing as VCF requires.
The number of moved sites is printed to stderr. REF/ALT are A/G: ms's infinite-sites model
gives biallelic sites with 0 = ancestral.

Usage: scrm ... | ms_to_vcf.py --length L --contig C | bcftools view -Ob -o panel.bcf
Needs numpy (the project's build/pyenv has it).
"""
import argparse
import sys

import numpy as np

SITES_PER_CHUNK = 4096


def read_locus(stream):
    """Positions (relative) and the haplotype matrix (haplotypes x sites, ASCII '0'/'1')."""
    segsites = None
    for line in stream:
        if line.startswith(b"segsites:"):
            segsites = int(line.split()[1])
        elif line.startswith(b"positions:"):
            positions = np.array(line.split()[1:], dtype=np.float64)
            break
    else:
        sys.exit("ms_to_vcf.py: no 'positions:' line in the input; expected ms/scrm output of one locus")
    if segsites is None or positions.size != segsites:
        sys.exit(f"ms_to_vcf.py: segsites {segsites} but {positions.size} positions")
    # Rows go straight into one growing matrix (doubled when full), not a list joined at the end:
    # the panel is haplotypes x sites bytes (5 GB at 5,000 x 1,000,000), so a list plus its join
    # would hold it twice while scrm still holds its own copy.
    haps = np.empty((64, segsites), dtype=np.uint8)
    count = 0
    for line in stream:
        line = line.rstrip(b"\n")
        if not line:
            if count:
                break  # the blank line that ends the locus
            continue
        if line.startswith(b"//"):
            sys.exit("ms_to_vcf.py: more than one locus in the input; expected scrm N 1 ...")
        if len(line) != segsites:
            sys.exit(f"ms_to_vcf.py: haplotype {count + 1} has {len(line)} alleles; expected {segsites}")
        if count == haps.shape[0]:
            haps.resize((2 * count, segsites), refcheck=False)
        haps[count] = np.frombuffer(line, dtype=np.uint8)
        count += 1
    if count % 2:
        sys.exit(f"ms_to_vcf.py: {count} haplotypes; expected an even number (diploid individuals)")
    haps.resize((count, segsites), refcheck=False)
    return positions, haps


def base_pairs(relative, length):
    """1-based positions, unique and increasing, and how many had to move."""
    pos = np.floor(relative * length).astype(np.int64) + 1
    moved = 0
    for i in range(1, pos.size):  # scrm sorts positions; only ties need moving
        if pos[i] <= pos[i - 1]:
            pos[i] = pos[i - 1] + 1
            moved += 1
    return pos, moved


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--length", type=int, required=True, help="locus length in bp (scrm's -r R L)")
    parser.add_argument("--contig", default="1")
    args = parser.parse_args()

    positions, haps = read_locus(sys.stdin.buffer)
    pos, moved = base_pairs(positions, args.length)
    n_hap, n_sites = haps.shape
    individuals = n_hap // 2
    print(f"ms_to_vcf.py: {individuals} individuals ({n_hap} haplotypes) x {n_sites} sites; "
          f"{moved} positions moved by ties", file=sys.stderr)

    out = sys.stdout.buffer
    header = [
        "##fileformat=VCFv4.2",
        f"##contig=<ID={args.contig},length={max(args.length, int(pos[-1]))}>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Phased genotype">',
        "##source=scrm via bench/ingest_genomes/ms_to_vcf.py",
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"] +
                  [f"ind{i + 1}" for i in range(individuals)]),
    ]
    out.write(("\n".join(header) + "\n").encode())
    # Genotype columns of a chunk of sites built at once: "a|b\t" per individual, '\n' at the end.
    for first in range(0, n_sites, SITES_PER_CHUNK):
        last = min(first + SITES_PER_CHUNK, n_sites)
        site_major = np.ascontiguousarray(haps[:, first:last].T)  # sites x haplotypes
        cells = np.empty((last - first, individuals, 4), dtype=np.uint8)
        cells[:, :, 0] = site_major[:, 0::2]
        cells[:, :, 1] = ord("|")
        cells[:, :, 2] = site_major[:, 1::2]
        cells[:, :, 3] = ord("\t")
        cells[:, -1, 3] = ord("\n")
        for k in range(last - first):
            out.write(f"{args.contig}\t{pos[first + k]}\t.\tA\tG\t.\tPASS\t.\tGT\t".encode())
            out.write(cells[k].tobytes())


if __name__ == "__main__":
    main()
