import joblib

model = joblib.load("/srv/models/model.joblib")
