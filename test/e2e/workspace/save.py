import pandas as pd
import torch

train = pd.read_csv("/home/alice/data/train.csv")
test = pd.read_csv("/home/alice/data/test.csv")
model = torch.load("model.pt")
