"""Stream processor: the analytics stream's consumer (event source mapping, LATEST, batches of 10).

Each batch is aggregated: events per type, transaction counts and totals by status, CPU and memory averages
and maxima per host, and alerts for hosts running hot. The summary is one JSON log line ("batch_summary").
"""

import base64
import json
from collections import Counter, defaultdict

CPU_ALERT = 90.0
MEMORY_ALERT = 90.0


def summarize(events):
    by_type = Counter(e.get("eventType", "unknown") for e in events)
    transactions = defaultdict(lambda: {"count": 0, "total": 0.0})
    samples = defaultdict(lambda: {"cpu": [], "memory": []})
    alerts = []
    for e in events:
        if e.get("eventType") == "transaction":
            bucket = transactions[e["status"]]
            bucket["count"] += 1
            bucket["total"] = round(bucket["total"] + e["amount"], 2)
        elif e.get("eventType") == "system_metric":
            samples[e["host"]]["cpu"].append(e["cpu"])
            samples[e["host"]]["memory"].append(e["memory"])
            for metric, limit in (("cpu", CPU_ALERT), ("memory", MEMORY_ALERT)):
                if e[metric] > limit:
                    alerts.append(
                        {"host": e["host"], "metric": metric, "value": e[metric], "threshold": limit}
                    )
    metrics = {
        host: {
            f"{name}{stat}": round(fn(values), 1)
            for name, values in series.items()
            for stat, fn in (("Avg", lambda v: sum(v) / len(v)), ("Max", max))
        }
        for host, series in samples.items()
    }
    return {"byType": dict(by_type), "transactions": dict(transactions), "metrics": metrics, "alerts": alerts}


def handler(event, context):
    records = event["Records"]
    events = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in records]
    summary = summarize(events)
    for alert in summary["alerts"]:
        print(json.dumps({"event": "alert", **alert}))
    shards = Counter(r["eventID"].split(":")[0] for r in records)
    print(json.dumps({"event": "batch_summary", "records": len(records), "shards": dict(shards), **summary}))
    return {"processed": len(records)}
