"""A --config file for the resolver-health tests: configs/mxscan.toml with the
DNS outage window, outage wait and retries the test needs (small, so that an
outage is declared and given up on within a test's time), and its data-file
paths made absolute so that the file works from any folder.
"""
import json
import os
import re


def outage_config(src, path, window, wait_ms, retries):
    configs = os.path.join(src, "configs")
    text = open(os.path.join(configs, "mxscan.toml")).read()
    text = re.sub(r"(?m)^outage_window = \d+", f"outage_window = {window}", text)
    text = re.sub(r"(?m)^outage_wait_ms = \d+", f"outage_wait_ms = {wait_ms}", text)
    text = re.sub(r"(?m)^retries = \d+", f"retries = {retries}", text)
    text = text.replace('"blocklist.conf"', json.dumps(os.path.join(configs, "blocklist.conf")))
    text = text.replace('"providers.toml"', json.dumps(os.path.join(configs, "providers.toml")))
    with open(path, "w") as f:
        f.write(text)
