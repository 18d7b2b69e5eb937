"""The pipeline's INI config as the operations scripts (submit, refresh) see it.

The binary is the authority on keys and values (it rejects unknown keys and bad values with the
file and key); these scripts only read what they need to size jobs and lay out releases, with the
same rules: `[section]` then `key = value`, `--section.key value` on the command line wins, and
relative input paths are taken from the config file's directory (run.dir from the working
directory, as the binary does).
"""
import os
import sys


class ConfigError(Exception):
    """A config problem the operator must fix; exit code 2 like the binary's."""


def read_ini(path):
    values = {}
    section = ""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise ConfigError(f"cannot read config {path}: {e.strerror}")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise ConfigError(f"{path}:{number}: expected [section]")
            section = line[1:-1].strip()
            continue
        if "=" not in line:
            raise ConfigError(f"{path}:{number}: expected key = value")
        key, value = (part.strip() for part in line.split("=", 1))
        values[f"{section}.{key}" if section else key] = value
    return values


def split_overrides(words):
    """`--section.key value` or `--section.key=value` pairs -> dict (order kept)."""
    overrides = {}
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("--") or "." not in word:
            raise ConfigError(f"command line: expected --section.key value, found '{word}'")
        if "=" in word:
            key, value = word[2:].split("=", 1)
            i += 1
        else:
            if i + 1 >= len(words):
                raise ConfigError(f"command line: key '{word[2:]}' has no value")
            key, value = word[2:], words[i + 1]
            i += 2
        overrides[key] = value
    return overrides


class PipelineConfig:
    def __init__(self, path, overrides=None):
        self.path = os.path.abspath(path)
        self.directory = os.path.dirname(self.path)
        self.from_file = read_ini(self.path)
        self.overrides = dict(overrides or {})
        self.values = {**self.from_file, **self.overrides}

    def text(self, key, default=""):
        return self.values.get(key, default)

    def integer(self, key, default):
        return self._number(key, default, int, "an integer")

    def real(self, key, default):
        return self._number(key, default, float, "a number")

    def _number(self, key, default, kind, expected):
        value = self.values.get(key)
        if value is None or value == "":
            return default
        try:
            return kind(value)
        except ValueError:
            raise ConfigError(f"{self.where(key)}: key '{key}': expected {expected}, found '{value}'")

    def where(self, key):
        return "command line" if key in self.overrides else self.path

    def input_path(self, key):
        """An input file: relative paths set in the file are taken from the file's directory."""
        value = self.values.get(key, "")
        if not value or os.path.isabs(value) or key in self.overrides:
            return value
        return os.path.normpath(os.path.join(self.directory, value))

    def tables(self):
        """Table names in file order, with their keys (file resolved)."""
        names = []
        for key in self.values:
            if key.startswith("table.") and key.count(".") >= 2:
                name = key.split(".")[1]
                if name not in names:
                    names.append(name)
        return [(name, {"file": self.input_path(f"table.{name}.file"),
                        "parent": self.text(f"table.{name}.parent")}) for name in names]

    def input_keys(self):
        """Keys naming extract files (what a refresh takes from the new extract)."""
        keys = [f"table.{name}.file" for name, _ in self.tables()]
        if self.text("genome.vcf"):
            keys.append("genome.vcf")
        return keys


def fail(prefix, error, code):
    print(f"{prefix}: {error}", file=sys.stderr)
    sys.exit(code)
