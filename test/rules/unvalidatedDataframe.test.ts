import { unvalidatedDataframe } from '../../server/src/rules/unvalidatedDataframe';
import { py, ruleTester } from '../harness/ruleTester';

ruleTester(unvalidatedDataframe, {
  valid: [
    // Only displayed or described.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      print(df)
      display(df)
      df.head()
      df.describe()
      df.info()
      print(df.shape, len(df))
    `,
    // A column only looked at: shown, plotted, printed.
    py`
      import pandas as pd
      import matplotlib.pyplot as plt
      df = pd.read_csv("train.csv")
      df["age"].hist()
      df["age"]
      plt.scatter(df["age"], df["income"])
      print(df["age"].mean())
    `,
    // A notebook of exploration: shown, counted, plotted, cross-tabulated, filtered for a look.
    {
      filename: 'eda.ipynb',
      code: py`
        import pandas as pd
        import seaborn as sns
        import matplotlib.pyplot as plt
        df = pd.read_csv("train.csv")
        # %%
        df.isnull().sum()
        df["Survived"].value_counts()
        sns.countplot(x="Survived", data=df)
        sns.histplot(df["Age"])
        # %%
        df.groupby("Pclass")["Survived"].mean()
        pd.crosstab(df["Sex"], df["Survived"])
        df[df["Age"] > 30]
        plt.hist(df["Fare"].dropna(), bins=40)
        print(df[["Age", "Fare"]].corr())
        df.Age.plot(kind="hist")
      `,
    },
    // dtype= / usecols= / names= declare the schema at the read.
    py`
      import pandas as pd
      a = pd.read_csv("a.csv", dtype={"age": "int64"})
      b = pd.read_csv("b.csv", usecols=["age", "income"])
      c = pd.read_csv("c.csv", names=["age", "income"], header=None)
      d = pd.read_parquet("d.parquet", columns=["age"])
      model.fit(a[["age"]], y)
      model.fit(b[["age"]], y)
      model.fit(c[["age"]], y)
      model.fit(d[["age"]], y)
    `,
    // polars schema= / schema_overrides=.
    py`
      import polars as pl
      df = pl.read_csv("train.csv", schema={"age": pl.Int64, "income": pl.Float64})
      lf = pl.scan_csv("big.csv", schema_overrides={"age": pl.Int64})
      model.fit(df.select("age", "income").to_numpy(), y)
      out = lf.filter(pl.col("age") > 30).collect()
    `,
    // The fix's own shape: a column check that raises.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      missing = {"age", "income"} - set(df.columns)
      if missing:
          raise ValueError(f"missing columns in train.csv: {sorted(missing)}")
      model.fit(df[["age", "income"]], df["churned"])
    `,
    // An assert over the columns and dtypes.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      assert {"age", "income"} <= set(df.columns)
      assert df.dtypes["age"] == "int64"
      model.fit(df[["age", "income"]], df["churned"])
    `,
    // Membership tests on the frame branch on its schema.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      if "age" not in df:
          raise KeyError("age")
      X = df[["age"]]
    `,
    // pandera: schema.validate, a callable schema, a check_types function, .pipe(schema.validate).
    py`
      import pandas as pd
      import pandera as pa

      schema = pa.DataFrameSchema({"age": pa.Column(int)})

      @pa.check_types
      def train(frame):
          return model.fit(frame[["age"]], frame["y"])

      a = pd.read_csv("a.csv")
      schema.validate(a)
      model.fit(a[["age"]], y)
      b = pd.read_csv("b.csv")
      b = schema(b)
      b.merge(a, on="age")
      c = pd.read_csv("c.csv")
      train(c)
      c["age"].sum() + 1
      d = pd.read_csv("d.csv").pipe(schema.validate)
      model.fit(d[["age"]], y)
    `,
    // great_expectations and a project validation helper.
    py`
      import great_expectations as gx
      import pandas as pd
      df = pd.read_csv("train.csv")
      batch = gx.dataset.PandasDataset(df)
      features = df[["age", "income"]]
      other = pd.read_csv("other.csv")
      validate_input_frame(other)
      model.predict(other[["age"]])
    `,
    // pydantic: every row built into a model, or the records validated by a TypeAdapter.
    py`
      import pandas as pd
      from pydantic import TypeAdapter
      a = pd.read_csv("a.csv")
      rows = [Customer(**row) for row in a.to_dict("records")]
      model.fit(a[["age"]], y)
      b = pd.read_csv("b.csv")
      records = TypeAdapter(list[Customer]).validate_python(b.to_dict(orient="records"))
      model.fit(b[["age"]], y)
      c = pd.read_csv("c.csv")
      for record in c.to_dict("records"):
          Customer.model_validate(record)
      model.fit(c[["age"]], y)
    `,
    // astype with a mapping enforces the named columns and their types.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv").astype({"age": "int64", "income": "float64"})
      model.fit(df[["age", "income"]], y)
    `,
    // Column names assigned from a literal list declare the layout.
    py`
      import pandas as pd
      df = pd.read_csv("raw.csv", header=None)
      df.columns = ["age", "income", "churned"]
      model.fit(df[["age", "income"]], df["churned"])
    `,
    // Chunked reads and all sheets are not one frame.
    py`
      import pandas as pd
      for chunk in pd.read_csv("big.csv", chunksize=10_000):
          total += chunk["amount"].sum()
      reader = pd.read_csv("big.csv", iterator=True)
      sheets = pd.read_excel("book.xlsx", sheet_name=None)
      first = sheets["Sheet1"]["amount"] * 2
    `,
    // Inline data in the code is not external.
    py`
      import io
      import pandas as pd
      df = pd.read_csv(io.StringIO("a,b\\n1,2\\n"))
      total = df["a"] + df["b"]
      js = pd.read_json('[{"a": 1}]')
      model.fit(js[["a"]], y)
    `,
    // A query that names its columns is checked by the database.
    py`
      import pandas as pd
      df = pd.read_sql("SELECT age, income FROM customers", con)
      model.fit(df[["age", "income"]], y)
    `,
    // The frame leaves the function: its users are elsewhere.
    py`
      import pandas as pd

      def load(path):
          df = pd.read_csv(path)
          return df.dropna()
    `,
    // The frame goes to a project function the rule cannot see into.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      X, y = build_features(df)
      model.fit(X, y)
    `,
    // A later rebinding to something else: the frame itself is not used.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      df = load_clean_frame()
      model.fit(df[["age"]], y)
    `,
    // Reads and uses in different functions are different scopes.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")

      def train():
          model.fit(df[["age"]], y)
    `,
    // pandas functions that are not readers, and `read_*` of other libraries.
    py`
      import pandas as pd
      import polars as pl
      frame = pd.DataFrame({"a": [1]})
      schema = pl.read_parquet_schema("x.parquet")
      text = path.read_text()
      model.fit(frame[["a"]], y)
    `,
    // Strings and comments mention a read and a fit.
    py`
      # df = pd.read_csv("train.csv"); model.fit(df["age"], y)
      doc = 'df = pd.read_csv("train.csv"); model.fit(df["age"], y)'
    `,
    // Dead code.
    py`
      import pandas as pd
      if False:
          df = pd.read_csv("train.csv")
          model.fit(df[["age"]], y)
    `,
    // Notebook: a check in a cell between the read and the fit.
    {
      filename: 'explore.ipynb',
      code: py`
        import pandas as pd
        df = pd.read_csv("train.csv")
        # %%
        assert set(df.columns) >= {"age", "income"}
        # %%
        model.fit(df[["age", "income"]], df["churned"])
      `,
    },
    // Tests are out of scope.
    {
      filename: 'tests/test_model.py',
      code: 'import pandas as pd\ndf = pd.read_csv("fixture.csv")\nmodel.fit(df[["age"]], y)\n',
    },
    // A docs-style schema-aware branch: optional columns.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv")
      cols = ["age"] + (["income"] if "income" in df.columns else [])
      model.fit(df[cols], y)
    `,
    // Dropping columns that may not exist needs no check.
    py`
      import pandas as pd
      df = pd.read_csv("train.csv").drop(columns=["Unnamed: 0"], errors="ignore")
      df.to_parquet("train.parquet")
    `,
  ],
  invalid: [
    {
      // The table's example: columns used for a fit, the check names them in order of use.
      code: py`
        import pandas as pd
        from sklearn.linear_model import LogisticRegression

        df = pd.read_csv("data/train.csv")
        X = df[["age", "income"]]
        y = df["churned"]
        model = LogisticRegression().fit(X, y)
      `,
      highlights: ['pd.read_csv("data/train.csv")'],
      messages: [
        'Data read by `pd.read_csv` is used in `df[["age", "income"]]` (line 5) with no check of its columns or types',
      ],
      severities: ['warning'],
      output: py`
        import pandas as pd
        from sklearn.linear_model import LogisticRegression

        df = pd.read_csv("data/train.csv")
        missing = {"age", "income", "churned"} - set(df.columns)
        if missing:
            raise ValueError(f"missing columns in train.csv: {sorted(missing)}")
        X = df[["age", "income"]]
        y = df["churned"]
        model = LogisticRegression().fit(X, y)
      `,
    },
    {
      // Attribute access, a chain that keeps the frame, a new name; inside a function with tabs.
      code: 'import pandas\n\ndef train(path):\n\tframe = pandas.read_parquet(path).dropna()\n\tclean = frame.copy()\n\treturn model.fit(clean.age.to_numpy().reshape(-1, 1), clean.label)\n',
      highlights: ['pandas.read_parquet(path)'],
      messages: ['reaches `model.fit()` (line 6)'],
      output:
        'import pandas\n\ndef train(path):\n\tframe = pandas.read_parquet(path).dropna()\n\tmissing = {"age", "label"} - set(frame.columns)\n\tif missing:\n\t\traise ValueError(f"missing columns in {path}: {sorted(missing)}")\n\tclean = frame.copy()\n\treturn model.fit(clean.age.to_numpy().reshape(-1, 1), clean.label)\n',
    },
    {
      // Through `from pandas import read_excel as rx`; the frame reaches a fit whole: no columns, no fix.
      code: py`
        from pandas import read_excel as rx

        X = rx("features.xlsx")
        model.fit(X, labels)
      `,
      highlights: ['rx("features.xlsx")'],
      messages: ['reaches `model.fit()` (line 4)'],
    },
    {
      // A merge is a use; its keys are columns. The other frame is reported too.
      code: py`
        import pandas as pd

        users = pd.read_csv("users.csv")
        orders = pd.read_json(orders_url)
        joined = users.merge(orders, left_on="user_id", right_on="customer")
      `,
      highlights: ['pd.read_csv("users.csv")', 'pd.read_json(orders_url)'],
      messages: ['is merged in `users.merge()` (line 5)', 'is merged in `users.merge()` (line 5)'],
      output: py`
        import pandas as pd

        users = pd.read_csv("users.csv")
        missing = {"user_id"} - set(users.columns)
        if missing:
            raise ValueError(f"missing columns in users.csv: {sorted(missing)}")
        orders = pd.read_json(orders_url)
        joined = users.merge(orders, left_on="user_id", right_on="customer")
      `,
    },
    {
      // Columns the code creates are not asked of the file; a column read before it is rewritten is.
      code: py`
        import pandas as pd

        df = pd.read_csv("loans.csv")
        df["age"] = df["age"].fillna(0)
        df["ratio"] = df["debt"] / df["income"]
        df = df.assign(log_income=df["income"].clip(lower=1))
        features = df[["age", "ratio", "log_income"]]
      `,
      highlights: ['pd.read_csv("loans.csv")'],
      output: py`
        import pandas as pd

        df = pd.read_csv("loans.csv")
        missing = {"age", "debt", "income"} - set(df.columns)
        if missing:
            raise ValueError(f"missing columns in loans.csv: {sorted(missing)}")
        df["age"] = df["age"].fillna(0)
        df["ratio"] = df["debt"] / df["income"]
        df = df.assign(log_income=df["income"].clip(lower=1))
        features = df[["age", "ratio", "log_income"]]
      `,
    },
    {
      // A literal rename maps the names back to the file's; `missing` is taken, so another name.
      code: py`
        import pandas as pd

        missing = []
        raw = pd.read_csv("export.csv")
        df = raw.rename(columns={"Customer Age": "age"})
        model.predict(df[["age", "plan"]])
      `,
      highlights: ['pd.read_csv("export.csv")'],
      output: py`
        import pandas as pd

        missing = []
        raw = pd.read_csv("export.csv")
        missing_columns = {"Customer Age", "plan"} - set(raw.columns)
        if missing_columns:
            raise ValueError(f"missing columns in export.csv: {sorted(missing_columns)}")
        df = raw.rename(columns={"Customer Age": "age"})
        model.predict(df[["age", "plan"]])
      `,
    },
    {
      // A rename whose mapping the code does not spell out: reported, no fix.
      code: py`
        import pandas as pd

        df = pd.read_csv("export.csv").rename(columns=str.lower)
        model.predict(df[["age", "plan"]])
      `,
      highlights: ['pd.read_csv("export.csv")'],
    },
    {
      // Lists of names bound once, loc with a column list, groupby: names in order of first use.
      code: py`
        import pandas as pd

        FEATURES = ["tenure", "plan"]
        df = pd.read_csv("customers.csv")
        recent = df.loc[df["year"] > 2020, FEATURES]
        by_city = df.groupby("city")["tenure"].mean().to_dict()
      `,
      highlights: ['pd.read_csv("customers.csv")'],
      output: py`
        import pandas as pd

        FEATURES = ["tenure", "plan"]
        df = pd.read_csv("customers.csv")
        missing = {"year", "tenure", "plan", "city"} - set(df.columns)
        if missing:
            raise ValueError(f"missing columns in customers.csv: {sorted(missing)}")
        recent = df.loc[df["year"] > 2020, FEATURES]
        by_city = df.groupby("city")["tenure"].mean().to_dict()
      `,
    },
    {
      // train_test_split keeps the columns of each part.
      code: py`
        import pandas as pd
        from sklearn.model_selection import train_test_split

        data = pd.read_csv("churn.csv")
        train, test = train_test_split(data, test_size=0.2)
        model.fit(train[["age"]], train["churned"])
      `,
      highlights: ['pd.read_csv("churn.csv")'],
      output: py`
        import pandas as pd
        from sklearn.model_selection import train_test_split

        data = pd.read_csv("churn.csv")
        missing = {"age", "churned"} - set(data.columns)
        if missing:
            raise ValueError(f"missing columns in churn.csv: {sorted(missing)}")
        train, test = train_test_split(data, test_size=0.2)
        model.fit(train[["age"]], train["churned"])
      `,
    },
    {
      // `pop` reads a column; `select_dtypes` keeps the frame on its way to the fit.
      code: py`
        import pandas as pd

        df = pd.read_csv("train.csv")
        y = df.pop("churned")
        X = df.select_dtypes("number")
        model.fit(X, y)
      `,
      highlights: ['pd.read_csv("train.csv")'],
      messages: ['is used in `df.pop()` (line 4)'],
      output: py`
        import pandas as pd

        df = pd.read_csv("train.csv")
        missing = {"churned"} - set(df.columns)
        if missing:
            raise ValueError(f"missing columns in train.csv: {sorted(missing)}")
        y = df.pop("churned")
        X = df.select_dtypes("number")
        model.fit(X, y)
      `,
    },
    {
      // A column read directly on the read call: reported, no fix (the read statement uses it).
      code: py`
        import pandas as pd

        ages = pd.read_csv("people.csv")["age"].to_numpy()
        scaler.fit(ages.reshape(-1, 1))
      `,
      highlights: ['pd.read_csv("people.csv")'],
      messages: ['is used in `pd.read_csv("people.csv")["age"]`'],
    },
    {
      // polars: columns through pl.col and select; a trailing comment stays on the read's line.
      code: py`
        import polars as pl

        orders = pl.read_parquet("s3://bucket/orders.parquet")  # nightly export
        revenue = orders.group_by("region").agg(pl.col("amount").sum())
      `,
      highlights: ['pl.read_parquet("s3://bucket/orders.parquet")'],
      messages: ['is used in `orders.group_by()`'],
      output: py`
        import polars as pl

        orders = pl.read_parquet("s3://bucket/orders.parquet")  # nightly export
        missing = {"region", "amount"} - set(orders.columns)
        if missing:
            raise ValueError(f"missing columns in orders.parquet: {sorted(missing)}")
        revenue = orders.group_by("region").agg(pl.col("amount").sum())
      `,
    },
    {
      // A lazy polars scan: reported, no fix.
      code: py`
        import polars as pl

        lf = pl.scan_csv("events.csv")
        daily = lf.group_by("day").agg(pl.col("clicks").sum()).collect()
      `,
      highlights: ['pl.scan_csv("events.csv")'],
    },
    {
      // A check of other things does not count: the `if` does not look at the schema.
      code: py`
        import pandas as pd

        df = pd.read_csv("train.csv")
        if len(df) == 0:
            raise ValueError("empty")
        model.fit(df[["age"]], df["y"])
      `,
      highlights: ['pd.read_csv("train.csv")'],
      output: py`
        import pandas as pd

        df = pd.read_csv("train.csv")
        missing = {"age", "y"} - set(df.columns)
        if missing:
            raise ValueError(f"missing columns in train.csv: {sorted(missing)}")
        if len(df) == 0:
            raise ValueError("empty")
        model.fit(df[["age"]], df["y"])
      `,
    },
    {
      // Notebook: read in cell 1, a look in cell 2, the fit in cell 3; the check lands in cell 1.
      filename: 'explore.ipynb',
      code: py`
        import pandas as pd
        df = pd.read_csv("train.csv")
        # %%
        df.head()
        # %%
        model.fit(df[["age", "income"]], df["churned"])
      `,
      highlights: ['pd.read_csv("train.csv")'],
      messages: ['(cell 3, line 1)'],
      severities: ['information'],
      output: py`
        import pandas as pd
        df = pd.read_csv("train.csv")
        missing = {"age", "income", "churned"} - set(df.columns)
        if missing:
            raise ValueError(f"missing columns in train.csv: {sorted(missing)}")
        # %%
        df.head()
        # %%
        model.fit(df[["age", "income"]], df["churned"])
      `,
    },
    {
      // Notebook: the frame is cleaned in a later cell under the same name and used after that.
      filename: 'explore.ipynb',
      code: py`
        import pandas as pd
        raw = pd.read_csv(DATA / "train.csv")
        # %%
        df = raw.dropna()
        df = df[df["age"] > 18]
        # %%
        model.fit(df[["age", "income"]], df["churned"])
      `,
      highlights: ['pd.read_csv(DATA / "train.csv")'],
      output: py`
        import pandas as pd
        raw = pd.read_csv(DATA / "train.csv")
        missing = {"age", "income", "churned"} - set(raw.columns)
        if missing:
            raise ValueError(f"missing columns: {sorted(missing)}")
        # %%
        df = raw.dropna()
        df = df[df["age"] > 18]
        # %%
        model.fit(df[["age", "income"]], df["churned"])
      `,
    },
    {
      // CRLF: the inserted lines end in CRLF.
      code: 'import pandas as pd\r\nif True:\r\n    df = pd.read_csv("a.csv")\r\n    model.fit(df[["x"]], df["y"])\r\n',
      highlights: ['pd.read_csv("a.csv")'],
      output:
        'import pandas as pd\r\nif True:\r\n    df = pd.read_csv("a.csv")\r\n    missing = {"x", "y"} - set(df.columns)\r\n    if missing:\r\n        raise ValueError(f"missing columns in a.csv: {sorted(missing)}")\r\n    model.fit(df[["x"]], df["y"])\r\n',
    },
    {
      // Inside a try whose handler catches ValueError the check would be swallowed: no fix.
      code: py`
        import pandas as pd
        try:
            df = pd.read_csv("a.csv")
            model.fit(df[["x"]], df["y"])
        except (OSError, ValueError):
            model = None
      `,
      highlights: ['pd.read_csv("a.csv")'],
    },
    {
      // Two statements on one line: reported, no fix.
      code: py`
        import pandas as pd
        df = pd.read_csv("a.csv"); model.fit(df[["x"]], df["y"])
      `,
      highlights: ['pd.read_csv("a.csv")'],
    },
    {
      // read_sql of a whole table or `SELECT *`: the database does not check the columns the code uses.
      code: py`
        import pandas as pd
        a = pd.read_sql("SELECT * FROM customers", con)
        b = pd.read_sql_table("customers", con)
        model.fit(a[["age"]], y)
        model.fit(b[["age"]], y)
      `,
      highlights: [
        'pd.read_sql("SELECT * FROM customers", con)',
        'pd.read_sql_table("customers", con)',
      ],
      output: py`
        import pandas as pd
        a = pd.read_sql("SELECT * FROM customers", con)
        missing = {"age"} - set(a.columns)
        if missing:
            raise ValueError(f"missing columns: {sorted(missing)}")
        b = pd.read_sql_table("customers", con)
        missing_columns = {"age"} - set(b.columns)
        if missing_columns:
            raise ValueError(f"missing columns in customers: {sorted(missing_columns)}")
        model.fit(a[["age"]], y)
        model.fit(b[["age"]], y)
      `,
    },
    {
      // Found by the fuzzer: the read sits in a region tree-sitter could not parse (an unclosed
      // string below), so the statement has no reliable end; no check is inserted, rather than
      // one at the end of the file, again on every fix-all round.
      code: 'import pandas as pd\ndf = pd.read_csv(p)\ndf["]as:\n n',
      highlights: ['pd.read_csv(p)'],
    },
  ],
});
