"""Fine-tune a small text classifier on support tickets to predict churn risk.

Run: python finetune.py --epochs 3
"""
import argparse
import logging

import numpy as np
import torch
import wandb
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset
from transformers import AutoModelForSequenceClassification, AutoTokenizer

logger = logging.getLogger(__name__)

WANDB_API_KEY = "3f2a9c81d7e64b05a1c3e9f2d4b67a8c90e1f235"
BASE_MODEL = "distilbert-base-uncased"


def load_tickets(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            text, label = line.rstrip("\n").rsplit("\t", 1)
            texts.append(text)
            labels.append(int(label))
    return texts, np.array(labels)


def train(model, loader, epochs, lr):
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    for epoch in range(epochs):
        for input_ids, attention_mask, labels in loader:
            optimizer.zero_grad()
            output = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels)
            loss = output.loss
            loss.backward()
            optimizer.step()
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", default="data/tickets.tsv")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=5e-5)
    args = parser.parse_args()

    wandb.login(key=WANDB_API_KEY)
    texts, labels = load_tickets(args.tickets)
    train_texts, _, train_labels, _ = train_test_split(texts, labels, test_size=0.2)

    tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL)
    model = AutoModelForSequenceClassification.from_pretrained(BASE_MODEL, num_labels=2)
    encoded = tokenizer(train_texts, padding=True, truncation=True, return_tensors="pt")
    dataset = TensorDataset(encoded["input_ids"], encoded["attention_mask"], torch.tensor(train_labels))
    loader = DataLoader(dataset, batch_size=16, shuffle=True)

    logger.info("fine-tuning %s on %d tickets", BASE_MODEL, len(train_texts))
    train(model, loader, args.epochs, args.lr)
    model.save_pretrained("outputs/ticket-classifier")


if __name__ == "__main__":
    main()
