import pandas as pd

frame = pd.read_csv("/home/alice/data/train.csv")
