import pandas as pd
import torch

frame = pd.read_csv("/home/alice/data/train.csv")
model = torch.load("model.pt")
