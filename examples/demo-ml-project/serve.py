"""Churn prediction service: POST customer records to /predict, get churn probabilities back."""
import json
import logging
import os
import time

import joblib
import pandas as pd
from flask import Flask, jsonify, request

from train import CATEGORICAL, NUMERIC

logger = logging.getLogger("churn-serve")

MODEL_PATH = os.environ.get("CHURN_MODEL_PATH", "models/churn_model.joblib")
AUDIT_LOG = os.environ.get("CHURN_AUDIT_LOG", "audit/requests.jsonl")
THRESHOLD = float(os.environ.get("CHURN_THRESHOLD", "0.5"))

app = Flask(__name__)
model = joblib.load(MODEL_PATH)


def to_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def record_request(rows, scores):
    entry = {"ts": time.time(), "n": len(rows), "scores": scores}
    try:
        with open(AUDIT_LOG, "a") as fh:
            fh.write(json.dumps(entry) + "\n")
    except Exception:
        pass  # auditing must never break a prediction


@app.route("/health")
def health():
    return jsonify(status="ok", model=os.path.basename(MODEL_PATH))


@app.route("/predict", methods=["POST"])
def predict():
    payload = request.get_json(silent=True)
    if not payload or "customers" not in payload:
        return jsonify(error="expected {\"customers\": [...]}"), 400
    rows = payload["customers"]
    frame = pd.DataFrame(
        [{**{c: to_number(r.get(c)) for c in NUMERIC}, **{c: r.get(c, "unknown") for c in CATEGORICAL}} for r in rows]
    )
    try:
        scores = model.predict_proba(frame)[:, 1].round(4).tolist()
    except Exception:
        logger.exception("prediction failed for %d rows", len(rows))
        return jsonify(error="prediction failed"), 500
    record_request(rows, scores)
    return jsonify(predictions=[{"churn_probability": s, "churn": s >= THRESHOLD} for s in scores])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
