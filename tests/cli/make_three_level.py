"""Writes a three-level registry extract for the generator tests: persons, their hospital
contacts, and the diagnoses of each contact, with dependencies across levels (older persons have
more contacts, more of them emergencies; the contact kind drives the diagnosis codes and their
severity; contacts fall inside follow-up). Deterministic for a seed. Not real data: made for the
test, so that a hierarchy deeper than nafld's two levels is exercised.
Usage: make_three_level.py OUT_DIR PERSONS SEED"""
import csv
import math
import os
import random
import sys

out, persons, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
os.makedirs(out, exist_ok=True)
codes = {
    'outpatient': (['E11', 'I10', 'J45', 'M54', 'K21'], [0.3, 0.3, 0.15, 0.15, 0.1]),
    'inpatient': (['I21', 'I50', 'J18', 'K35', 'C34'], [0.25, 0.25, 0.2, 0.2, 0.1]),
    'emergency': (['S72', 'I21', 'R07', 'J18', 'T81'], [0.3, 0.2, 0.25, 0.15, 0.1]),
}
severity_mean = {'E11': 2, 'I10': 1.5, 'J45': 2, 'M54': 1, 'K21': 1, 'I21': 6, 'I50': 5, 'J18': 4,
                 'K35': 4, 'C34': 7, 'S72': 5, 'R07': 2, 'T81': 3}


def poisson(lam):
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


with open(f'{out}/persons.csv', 'w', newline='') as fp, open(f'{out}/contacts.csv', 'w', newline='') as fc, \
        open(f'{out}/diagnoses.csv', 'w', newline='') as fd:
    wp, wc, wd = csv.writer(fp), csv.writer(fc), csv.writer(fd)
    wp.writerow(['person_id', 'age', 'sex', 'region', 'futime'])
    wc.writerow(['contact_id', 'person_id', 'day', 'kind', 'length_of_stay'])
    wd.writerow(['contact_id', 'code', 'severity'])
    contact_id = 0
    for pid in range(1, persons + 1):
        age = min(95, max(18, int(rng.gauss(55, 17))))
        sex = rng.choice('FM')
        region = rng.choices(['north', 'south', 'east', 'west', 'capital'], [0.15, 0.2, 0.15, 0.2, 0.3])[0]
        futime = int(rng.uniform(365, 3650))
        wp.writerow([pid, age, sex, region, futime])
        day = 0
        for _ in range(poisson(0.5 + age / 25)):
            day += int(rng.expovariate(1 / 200))
            if day > futime:
                break
            emergency = min(0.6, age / 150)
            kind = rng.choices(['outpatient', 'inpatient', 'emergency'], [0.7 - emergency / 2, 0.3 - emergency / 2, emergency])[0]
            stay = 0 if kind == 'outpatient' else 1 + poisson(3 if kind == 'inpatient' else 1)
            contact_id += 1
            wc.writerow([contact_id, pid, day, kind, stay])
            names, weights = codes[kind]
            for _ in range(1 + poisson(0.8 if kind == 'outpatient' else 1.6)):
                code = rng.choices(names, weights)[0]
                wd.writerow([contact_id, code, round(max(0.0, rng.gauss(severity_mean[code], 1.0)), 1)])
