import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unvalidatedRequestInput } from '../../server/src/rules/unvalidatedRequestInput';
import { py, ruleTester } from '../harness/ruleTester';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'serving');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** The fixture with the guard the fix inserts after `anchor`, indented like it. */
function withGuard(text: string, anchor: string, guard: string): string {
  const at = text.indexOf(anchor);
  if (at < 0) throw new Error(`anchor not found: ${anchor}`);
  return text.slice(0, at + anchor.length) + guard + text.slice(at + anchor.length);
}

const flaskApp = fixture('flask_app.py');
const fastapiApp = fixture('fastapi_app.py');

ruleTester(unvalidatedRequestInput, {
  valid: [
    // FastAPI: a pydantic body is validated before the handler runs.
    py`
      from fastapi import FastAPI
      from pydantic import BaseModel

      class Features(BaseModel):
          age: int
          income: float

      app = FastAPI()

      @app.post("/predict")
      def predict(features: Features):
          return {"y": model.predict([[features.age, features.income]]).tolist()}
    `,
    // FastAPI: typed query parameters, a type taken from a literal default, a dependency.
    py`
      from fastapi import Depends, FastAPI

      app = FastAPI()

      @app.get("/predict")
      def predict(age: int, income: float, top_k=3, clf=Depends(get_model)):
          return {"y": clf.predict([[age, income, top_k]]).tolist()}
    `,
    // Flask: isinstance and key checks that abort before the model.
    py`
      from flask import Flask, abort, request

      app = Flask(__name__)

      @app.post("/predict")
      def predict():
          data = request.get_json()
          if not isinstance(data, dict) or "age" not in data:
              abort(400)
          return {"y": model.predict([[data["age"]]]).tolist()}
    `,
    // Flask: a check that returns a 400 response.
    py`
      from flask import Flask, jsonify, request

      app = Flask(__name__)

      @app.route("/predict", methods=["POST"])
      def predict():
          data = request.json
          if "text" not in data:
              return jsonify(error="text is required"), 400
          return jsonify(label=classifier(data["text"]))
    `,
    // The model call runs only when the key check passes; a range check aborts.
    py`
      from flask import Flask, abort, request

      app = Flask(__name__)

      @app.post("/a")
      def a():
          data = request.get_json()
          if "text" in data and isinstance(data["text"], str):
              return {"label": classifier(data["text"])}
          return {"error": "text is required"}, 400

      @app.get("/b")
      def b():
          age = float(request.args["age"])
          if age < 0 or age > 120:
              abort(400, "age out of range")
          return {"y": model.predict([[age]]).tolist()}
    `,
    // pydantic: built from the payload, `model_validate`, `parse_obj`.
    py`
      from flask import Flask, request
      from pydantic import BaseModel

      app = Flask(__name__)

      @app.post("/a")
      def a():
          item = Item(**request.get_json())
          return {"y": model.predict([[item.age]]).tolist()}

      @app.post("/b")
      def b():
          data = request.get_json()
          item = Item.model_validate(data)
          return {"y": model.predict([[item.age]]).tolist()}

      @app.post("/c")
      def c():
          item = Item.parse_obj(request.json)
          return {"y": model.predict([[item.age]]).tolist()}
    `,
    // marshmallow `schema.load` and jsonschema `validate` before the data is used.
    py`
      import jsonschema
      from flask import Flask, request

      app = Flask(__name__)

      @app.post("/a")
      def a():
          data = request.get_json()
          jsonschema.validate(instance=data, schema=SCHEMA)
          return {"y": model.predict([[data["age"]]]).tolist()}

      @app.post("/b")
      def b():
          data = feature_schema.load(request.get_json())
          return {"y": model.predict([[data["age"]]]).tolist()}
    `,
    // A narrow except around the reads that answers 400.
    py`
      from flask import Flask, abort, request

      app = Flask(__name__)

      @app.post("/predict")
      def predict():
          data = request.get_json()
          try:
              row = [[float(data["age"]), float(data["income"])]]
          except (KeyError, TypeError, ValueError):
              abort(400, "age and income must be numbers")
          return {"y": model.predict(row).tolist()}
    `,
    // Validation decorators check the body before the handler runs.
    py`
      from flask import Flask, request
      from flask_pydantic import validate

      app = Flask(__name__)

      @app.post("/predict")
      @validate()
      def predict():
          return {"y": model.predict([[request.json["age"]]]).tolist()}
    `,
    // Django REST framework: a serializer that validates.
    py`
      from rest_framework.views import APIView
      from rest_framework.response import Response

      class PredictView(APIView):
          def post(self, request):
              serializer = PredictSerializer(data=request.data)
              serializer.is_valid(raise_exception=True)
              return Response({"y": model.predict([serializer.validated_data["features"]])})
    `,
    // A `request` parameter outside any web framework is not a request.
    py`
      class Worker:
          def handle(self, request):
              return self.model.predict(request.data)
    `,
    // Request data that does not reach a model.
    py`
      from flask import Flask, request

      app = Flask(__name__)

      @app.post("/feedback")
      def feedback():
          data = request.get_json()
          store.save(data)
          return {"y": model.predict(DEFAULT_ROW).tolist(), "user": request.headers.get("X-User")}
    `,
    // An opaque project function between the request and the model may validate.
    py`
      from flask import Flask, request

      app = Flask(__name__)

      @app.post("/predict")
      def predict():
          features = build_features(request.get_json())
          return {"y": model.predict(features).tolist()}
    `,
    // Streamlit: choices and bounded numbers are validated by the widget.
    py`
      import streamlit as st

      plan = st.selectbox("Plan", ["basic", "pro"])
      age = st.slider("Age", 18, 99)
      income = st.number_input("Income", min_value=0.0, max_value=1e6)
      st.write(model.predict([[age, income, plan]]))
    `,
    // Gradio: an explicit check that raises before the model.
    py`
      import gradio as gr

      def classify(text):
          if not text or len(text) > 5000:
              raise gr.Error("text must be 1-5000 characters")
          return classifier(text)

      demo = gr.Interface(fn=classify, inputs="text", outputs="label")
    `,
    // Ray Serve with a pydantic model.
    py`
      from ray import serve
      from starlette.requests import Request

      @serve.deployment
      class Scorer:
          async def __call__(self, request: Request):
              features = Features(**(await request.json()))
              return {"y": self.model.predict([[features.age]]).tolist()}
    `,
    // Without an ML library, `.generate()` and `.transform()` are not model calls.
    py`
      from flask import Flask, request

      app = Flask(__name__)

      @app.get("/qr")
      def qr_code():
          return qr.generate(request.args["url"]), xslt.transform(request.data)
    `,
    // Functions that load or build models are not models.
    py`
      from flask import Flask, request

      app = Flask(__name__)

      @app.post("/predict")
      def predict():
          arr = request.get_json()
          return read_model(arr)

      def read_model(data):
          return load_model("m.pkl").predict(data)
    `,
    // Strings and comments.
    py`
      # data = request.get_json(); model.predict(data)
      EXAMPLE = "data = request.get_json(); model.predict(data)"
    `,
    // Dead code.
    py`
      from flask import Flask, request

      app = Flask(__name__)

      @app.post("/predict")
      def predict():
          if False:
              return model.predict(request.get_json()["rows"])
          return {}
    `,
    // Tests are out of scope.
    {
      filename: 'tests/test_app.py',
      code: 'from flask import request\n\ndef handler():\n    return model.predict(request.json["x"])\n',
    },
    // Both fixture apps' validated handlers (the unvalidated ones are invalid cases below).
    flaskApp.slice(0, flaskApp.indexOf('@app.post("/v1/score")')) +
      flaskApp.slice(flaskApp.indexOf('@app.post("/v2/score")')),
    fastapiApp.slice(0, fastapiApp.indexOf('@router.post("/score")')) +
      fastapiApp.slice(fastapiApp.indexOf('@router.post("/score-validated")')),
  ],
  invalid: [
    {
      // The Flask fixture: three unvalidated handlers, one fixable (it reads fields by name).
      code: flaskApp,
      filename: 'app.py',
      highlights: ['request.get_json()', 'request.json', 'request.args'],
      messages: [
        'Request data `request.get_json()` reaches `model.predict_proba()` (line 33) without validation',
        'Request data `request.json` reaches `model.predict()` (line 42)',
        'Request data `request.args` reaches `model.predict()` (line 50)',
      ],
      severities: ['warning', 'warning', 'warning'],
      output: withGuard(
        flaskApp,
        '    payload = request.get_json()',
        '\n    missing = [k for k in ("tenure", "monthly_charges", "contract") if k not in payload]\n    if missing:\n        abort(400, f"missing fields: {missing}")',
      ),
    },
    {
      // The FastAPI fixture: a `Dict[str, Any]` body and a raw `await request.json()`.
      code: fastapiApp,
      filename: 'api.py',
      highlights: ['payload: Dict[str, Any]', 'request.json()'],
      messages: [
        'Request data `payload` reaches `model.predict()` (line 35)',
        'Request data `request.json()` reaches `app.state.net()` (line 42)',
      ],
      output: withGuard(
        withGuard(
          fastapiApp,
          'def score(payload: Dict[str, Any], model=Depends(get_model)):',
          '\n    missing = [k for k in ("age", "income") if k not in payload]\n    if missing:\n        raise HTTPException(status_code=400, detail=f"missing fields: {missing}")',
        ),
        'async def score_raw(request: Request):\n    body = await request.json()',
        '\n    missing = [k for k in ("age", "income") if k not in body]\n    if missing:\n        raise HTTPException(status_code=400, detail=f"missing fields: {missing}")',
      ),
    },
    {
      // Flask without `abort` imported: the fix adds it; `missing` is taken, so another name.
      code: py`
        from flask import Flask, request as rq

        app = Flask(__name__)
        missing = object()

        @app.post("/predict")
        def predict():
            data = rq.get_json(silent=True)
            return {"y": model.predict([[data["age"], data.get("income")]]).tolist()}
      `,
      highlights: ['rq.get_json(silent=True)'],
      messages: ['reaches `model.predict()` (line 9)'],
      output: py`
        from flask import Flask, request as rq
        from flask import abort

        app = Flask(__name__)
        missing = object()

        @app.post("/predict")
        def predict():
            data = rq.get_json(silent=True)
            missing_fields = [k for k in ("age", "income") if k not in (data or {})]
            if missing_fields:
                abort(400, f"missing fields: {missing_fields}")
            return {"y": model.predict([[data["age"], data.get("income")]]).tolist()}
      `,
    },
    {
      // The classic tutorial: form values into an array. No field is read by name: no fix.
      code: py`
        import numpy as np
        from flask import Flask, render_template, request

        app = Flask(__name__)

        @app.route("/predict", methods=["POST"])
        def predict():
            int_features = [float(x) for x in request.form.values()]
            final = [np.array(int_features)]
            prediction = model.predict(final)
            return render_template("index.html", prediction_text=f"{prediction[0]:.2f}")
      `,
      highlights: ['request.form'],
      messages: ['reaches `model.predict()` (line 10)'],
    },
    {
      // FastAPI: a plain `dict` body, with a docstring; `HTTPException` is imported by the fix.
      code: py`
        from fastapi import FastAPI

        app = FastAPI()

        @app.post("/predict")
        def predict(payload: dict):
            """Score one customer."""
            return {"y": model.predict([[payload["age"]]]).tolist()}
      `,
      highlights: ['payload: dict'],
      output: py`
        from fastapi import FastAPI
        from fastapi import HTTPException

        app = FastAPI()

        @app.post("/predict")
        def predict(payload: dict):
            """Score one customer."""
            missing = [k for k in ("age",) if k not in payload]
            if missing:
                raise HTTPException(status_code=400, detail=f"missing fields: {missing}")
            return {"y": model.predict([[payload["age"]]]).tolist()}
      `,
    },
    {
      // FastAPI: a list of untyped records becomes a frame; no field read by name, no fix.
      code: py`
        from typing import Dict, List

        import pandas as pd
        from fastapi import FastAPI

        app = FastAPI()

        @app.post("/batch")
        def batch(rows: List[Dict[str, float]]):
            return {"y": model.predict(pd.DataFrame(rows)).tolist()}
      `,
      highlights: ['rows: List[Dict[str, float]]'],
    },
    {
      // FastAPI: an untyped parameter reaches a tokenizer and `generate`; no key read, no fix.
      code: py`
        from fastapi import APIRouter

        router = APIRouter()

        @router.get("/complete")
        async def complete(prompt):
            inputs = tokenizer(f"Q: {prompt}\\nA:", return_tensors="pt")
            output = llm.generate(**inputs, max_new_tokens=64)
            return {"text": tokenizer.decode(output[0])}
      `,
      highlights: ['prompt'],
      messages: ['Request data `prompt` reaches `llm.generate()` (line 8)'],
    },
    {
      // Starlette: an endpoint registered with Route; no fix for this framework.
      code: py`
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def predict(request):
            body = await request.json()
            return JSONResponse({"y": model.predict([body["features"]]).tolist()})

        app = Starlette(routes=[Route("/predict", predict, methods=["POST"])])
      `,
      highlights: ['request.json()'],
    },
    {
      // Django: a function view parsing the body.
      code: py`
        import json
        from django.http import JsonResponse

        def predict(request):
            payload = json.loads(request.body)
            return JsonResponse({"y": model.predict([payload["features"]]).tolist()})
      `,
      highlights: ['request.body'],
    },
    {
      // Django REST framework: a class view reading request.data into a pipeline.
      code: py`
        from rest_framework.response import Response
        from rest_framework.views import APIView
        from transformers import pipeline

        sentiment = pipeline("sentiment-analysis")

        class SentimentView(APIView):
            def post(self, request):
                text = request.data.get("text", "")
                return Response(sentiment(text.strip())[0])
      `,
      highlights: ['request.data'],
      messages: ['reaches `sentiment()` (line 10)'],
    },
    {
      // Ray Serve: a deployment's __call__ reads the request body.
      code: py`
        import numpy as np
        from ray import serve

        @serve.deployment(num_replicas=2)
        class Scorer:
            def __init__(self):
                self.model = load()

            async def __call__(self, http_request):
                rows = (await http_request.json())["rows"]
                return {"y": self.model.predict(np.asarray(rows)).tolist()}
      `,
      highlights: ['http_request.json()'],
    },
    {
      // Gradio: the callback's parameters are user input.
      code: py`
        import gradio as gr
        import torch

        def classify(image, threshold):
            scores = net(image)
            return {"cat": float(scores[0] > threshold)}

        def caption(text):
            return captioner.generate(text)

        with gr.Blocks() as demo:
            box = gr.Textbox()
            button = gr.Button()
            button.click(caption, inputs=box, outputs=box)

        demo2 = gr.Interface(fn=classify, inputs=["image", "number"], outputs="label")
      `,
      highlights: ['image', 'text'],
      messages: [
        'User input `image` reaches `net()` (line 5) without validation; check it before it reaches the model',
        'User input `text` reaches `captioner.generate()` (line 9)',
      ],
    },
    {
      // Streamlit: free text straight into a pipeline, in a notebook-free script.
      code: py`
        import streamlit as st
        from transformers import pipeline

        summarize = pipeline("summarization")
        text = st.text_area("Paste an article")
        if st.button("Summarize"):
            st.write(summarize(text, max_length=120)[0]["summary_text"])
      `,
      highlights: ['st.text_area("Paste an article")'],
      messages: [
        'User input `st.text_area()` reaches `summarize()` (line 7) without validation; check it before it reaches the model',
      ],
    },
    {
      // A check after the model call comes too late; a broad except is not validation.
      code: py`
        from flask import Flask, abort, request

        app = Flask(__name__)

        @app.post("/predict")
        def predict():
            data = request.get_json()
            try:
                y = model.predict([[data["age"]]])
            except Exception:
                return {"error": "prediction failed"}, 500
            if "age" not in data:
                abort(400)
            return {"y": y.tolist()}
      `,
      highlights: ['request.get_json()'],
      output: py`
        from flask import Flask, abort, request

        app = Flask(__name__)

        @app.post("/predict")
        def predict():
            data = request.get_json()
            missing = [k for k in ("age",) if k not in data]
            if missing:
                abort(400, f"missing fields: {missing}")
            try:
                y = model.predict([[data["age"]]])
            except Exception:
                return {"error": "prediction failed"}, 500
            if "age" not in data:
                abort(400)
            return {"y": y.tolist()}
      `,
    },
    {
      // `abort` means something else here: reported, no fix.
      code: py`
        from flask import Flask, request

        app = Flask(__name__)

        def abort(reason):
            raise RuntimeError(reason)

        @app.post("/predict")
        def predict():
            data = request.get_json()
            return {"y": model.predict([[data["age"]]]).tolist()}
      `,
      highlights: ['request.get_json()'],
    },
    {
      // An `if` that only branches on the data, without stopping the request, is not a check.
      code: py`
        from flask import Flask, request

        app = Flask(__name__)

        @app.post("/predict")
        def predict():
            text = request.form["text"]
            if text:
                return {"label": classifier(text)}
            return {"label": None}
      `,
      highlights: ['request.form'],
    },
    {
      // Branching on the HTTP method, or on the body being non-empty, checks nothing about it.
      code: py`
        from flask import Flask, abort, render_template, request

        app = Flask(__name__)

        @app.route("/", methods=["GET", "POST"])
        def index():
            if request.method == "GET":
                return render_template("index.html")
            age = float(request.form["age"])
            return render_template("index.html", prediction=model.predict([[age]])[0])

        @app.post("/api")
        def api():
            data = request.get_json()
            if not data:
                abort(400, "empty body")
            return {"y": model.predict([[data["age"]]]).tolist()}
      `,
      highlights: ['request.form', 'request.get_json()'],
      output: py`
        from flask import Flask, abort, render_template, request

        app = Flask(__name__)

        @app.route("/", methods=["GET", "POST"])
        def index():
            if request.method == "GET":
                return render_template("index.html")
            age = float(request.form["age"])
            return render_template("index.html", prediction=model.predict([[age]])[0])

        @app.post("/api")
        def api():
            data = request.get_json()
            missing = [k for k in ("age",) if k not in data]
            if missing:
                abort(400, f"missing fields: {missing}")
            if not data:
                abort(400, "empty body")
            return {"y": model.predict([[data["age"]]]).tolist()}
      `,
    },
    {
      // Dispatching on a field's value is not a check of the fields the model gets.
      code: py`
        import json
        from django.http import JsonResponse

        def predict(request):
            body = json.loads(request.body)
            first, second = body["first"], body["second"]
            if body["model"] == "linear":
                return JsonResponse({"y": linear_model.predict([[first, second]]).tolist()})
            return JsonResponse({"error": "unknown model"}, status=400)
      `,
      highlights: ['request.body'],
      messages: ['reaches `linear_model.predict()` (line 8)'],
    },
    {
      // CRLF: the guard's lines end in CRLF.
      code: 'from flask import Flask, abort, request\r\n\r\napp = Flask(__name__)\r\n\r\n@app.post("/p")\r\ndef p():\r\n    data = request.json\r\n    return {"y": model.predict([[data["x"]]]).tolist()}\r\n',
      highlights: ['request.json'],
      output:
        'from flask import Flask, abort, request\r\n\r\napp = Flask(__name__)\r\n\r\n@app.post("/p")\r\ndef p():\r\n    data = request.json\r\n    missing = [k for k in ("x",) if k not in data]\r\n    if missing:\r\n        abort(400, f"missing fields: {missing}")\r\n    return {"y": model.predict([[data["x"]]]).tolist()}\r\n',
    },
    {
      // A notebook serving a Gradio demo is linted too.
      filename: 'demo.ipynb',
      code: py`
        import gradio as gr
        # %%
        def answer(question):
            return qa_pipeline(question=question)["answer"]
        # %%
        gr.Interface(answer, "text", "text").launch()
      `,
      highlights: ['question'],
      severities: ['warning'],
    },
  ],
});
