"""Train the customer-churn classifier: python train.py --config config.yaml --output-dir runs/<date>"""
import argparse
import json
import logging
import subprocess
from pathlib import Path

import joblib
import pandas as pd
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import classification_report, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

logger = logging.getLogger(__name__)

RAW_CSV = "/home/maria/projects/churn/data/customers.csv"
MODEL_PATH = "models/churn_model.joblib"  # serve.py picks the model up from here

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets"]
CATEGORICAL = ["contract_type", "payment_method", "internet_service"]
TARGET = "churned"
DEFAULTS = {"test_size": 0.2, "n_estimators": 300, "learning_rate": 0.05, "max_depth": 3, "seed": 42}


def load_config(path):
    try:
        with open(path) as fh:
            overrides = yaml.safe_load(fh) or {}
    except FileNotFoundError:
        logger.warning("no config at %s, using defaults", path)
        overrides = {}
    return {**DEFAULTS, **overrides}


def parse_charge(value, default=0.0):
    # total_charges is exported as text and is blank for customers in their first month
    try:
        return float(value)
    except ValueError:
        return default


def git_commit():
    with open("/dev/null", "w") as devnull:
        try:
            sha = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], stderr=devnull)
        except (OSError, subprocess.CalledProcessError):
            return "unknown"
    return sha.decode().strip()


def build_pipeline(config):
    preprocess = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
    ])
    clf = GradientBoostingClassifier(
        n_estimators=config["n_estimators"],
        learning_rate=config["learning_rate"],
        max_depth=config["max_depth"],
        random_state=config["seed"],
    )
    return Pipeline([("preprocess", preprocess), ("clf", clf)])


def evaluate(pipeline, X_test, y_test):
    proba = pipeline.predict_proba(X_test)[:, 1]
    print(classification_report(y_test, proba > 0.5, digits=3))
    try:
        auc = roc_auc_score(y_test, proba)
    except Exception:
        auc = None
    return {"roc_auc": auc, "positive_rate": float((proba > 0.5).mean())}


def parse_args():
    parser = argparse.ArgumentParser(description="Train the churn model.")
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--output-dir", default="runs/latest", help="where this run's model and metrics go")
    return parser.parse_args()


def main():
    args = parse_args()
    config = load_config(args.config)

    df = pd.read_csv(RAW_CSV)
    df["total_charges"] = df["total_charges"].map(parse_charge)
    logger.info("loaded %d customers, churn rate %.3f", len(df), df[TARGET].mean())

    X_train, X_test, y_train, y_test = train_test_split(
        df[NUMERIC + CATEGORICAL], df[TARGET],
        test_size=config["test_size"], stratify=df[TARGET], random_state=config["seed"],
    )
    pipeline = build_pipeline(config)
    pipeline.fit(X_train, y_train)
    metrics = evaluate(pipeline, X_test, y_test)
    metrics["git_commit"] = git_commit()

    run_dir = Path(args.output_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, run_dir / "model.joblib")
    with open(run_dir / "metrics.json", "w") as fh:
        json.dump(metrics, fh, indent=2)

    # refresh the copy the prediction service loads
    Path(MODEL_PATH).parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, MODEL_PATH)
    logger.info("saved model to %s and %s (roc_auc=%s)", run_dir, MODEL_PATH, metrics["roc_auc"])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    main()
