"""The tables of the fidelity benchmark and their SDMetrics/SDV metadata, shared by the scripts
beside this file. Key and reference columns (id, case.id) are declared as ids: never scored."""

import pandas as pd

PERSONS = {"id": "id", "age": "numerical", "male": "categorical", "weight": "numerical", "height": "numerical",
           "bmi": "numerical", "case.id": "id", "futime": "numerical", "status": "categorical"}
LABS = {"id": "id", "days": "numerical", "test": "categorical", "value": "numerical"}
EVENTS = {"id": "id", "days": "numerical", "event": "categorical"}
FLCHAIN = {"age": "numerical", "sex": "categorical", "sample.yr": "numerical", "kappa": "numerical",
           "lambda": "numerical", "flc.grp": "categorical", "creatinine": "numerical", "mgus": "categorical",
           "futime": "numerical", "death": "categorical", "chapter": "categorical"}
CHILDREN = {"labs": LABS, "events": EVENTS}


def table_metadata(columns, primary_key=None):
    table = {"columns": {name: {"sdtype": sdtype} for name, sdtype in columns.items()}}
    if primary_key:
        table["primary_key"] = primary_key
    return table


def nafld_metadata():
    """Multi-table metadata: persons (primary key id) with labs and events (foreign key id)."""
    return {"tables": {"persons": table_metadata(PERSONS, "id"), "labs": table_metadata(LABS),
                       "events": table_metadata(EVENTS)},
            "relationships": [{"parent_table_name": "persons", "parent_primary_key": "id",
                               "child_table_name": child, "child_foreign_key": "id"} for child in CHILDREN]}


def category_text(value):
    """A category as text; 1.0 (an integer code read into a column with missing values) as '1'."""
    if pd.isna(value):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read(path, columns):
    """A table as SDMetrics should see it: categorical columns as strings (0/1 codes and names
    alike, so real and synthetic compare equal whatever CSV writer made them), missing as NaN."""
    frame = pd.read_csv(path, float_precision="round_trip", usecols=list(columns))
    for name, sdtype in columns.items():
        if sdtype == "categorical":
            frame[name] = frame[name].map(category_text)
    return frame[list(columns)]
