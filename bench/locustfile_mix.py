"""Locust users for bench/load_mix.py: window clerks making new applications with images, clerks and
citizens asking for the card status, and one employer handler uploading a batch.  The data (tokens, ID
numbers, the batch files) comes from the JSON file named by $SSCARD_LOAD_DATA, written by load_mix.py."""

import json
import os
import random

from locust import HttpUser, between, task

DATA = json.load(open(os.environ["SSCARD_LOAD_DATA"]))
# Each locust run (phase × node) takes its own quarter of the fresh ID numbers: an application is new.
_SHARD = int(os.environ.get("SSCARD_LOAD_SHARD", "0"))
DATA["fresh_numbers"] = DATA["fresh_numbers"][_SHARD::4]


class WindowClerk(HttpUser):
    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.token = DATA["clerk_tokens"].pop() if len(DATA["clerk_tokens"]) > 1 else DATA["clerk_tokens"][0]

    @task
    def new_application(self):
        body = dict(DATA["apply_template"])
        body["applicant"] = {**body["applicant"], "number": DATA["fresh_numbers"].pop()}
        self.client.post("/api/v1/applications", json=body, name="window: new application",
                         headers={"Authorization": f"Bearer {self.token}"})


class StatusQuery(HttpUser):
    weight = 4
    wait_time = between(0.1, 0.3)

    @task(3)
    def clerk_query(self):
        number = random.choice(DATA["card_numbers"])
        self.client.post("/api/v1/cards/status-query", json={"applicant": {"doc_type": "id_card", "number": number}},
                         name="status query (window)",
                         headers={"Authorization": f"Bearer {DATA['query_clerk_token']}"})

    @task(1)
    def citizen_query(self):
        token = random.choice(DATA["citizen_tokens"])
        self.client.post("/api/v1/cards/status-query", json={}, name="status query (app)",
                         headers={"Authorization": f"Bearer {token}"})


class BatchHandler(HttpUser):
    """Uploads the batch once, then watches it."""

    weight = 1
    fixed_count = 1
    wait_time = between(2, 3)

    def on_start(self):
        self.batch_no = None
        if os.environ.get("SSCARD_LOAD_BATCH") != "1":
            return
        with open(DATA["workbook"], "rb") as wb, open(DATA["scans"], "rb") as sc:
            resp = self.client.post("/api/v1/batches", data={"meta": json.dumps(DATA["batch_meta"])},
                                    files={"workbook": ("b.xlsx", wb), "scans": ("s.zip", sc)},
                                    name="batch: upload", headers={"Authorization": f"Bearer {DATA['batch_clerk_token']}"})
        if resp.status_code == 202:
            self.batch_no = resp.json()["batch_no"]

    @task
    def watch(self):
        if self.batch_no:
            self.client.get(f"/api/v1/batches/{self.batch_no}", name="batch: status",
                            headers={"Authorization": f"Bearer {DATA['batch_clerk_token']}"})
