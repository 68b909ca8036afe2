import { missingRandomState } from '../../server/src/rules/missingRandomState';
import { py, ruleTester } from '../harness/ruleTester';

ruleTester(missingRandomState, {
  valid: [
    // Seeded splits, estimators and generators, by keyword and (older signatures) by position.
    py`
      import numpy as np
      from sklearn.ensemble import RandomForestClassifier
      from sklearn.model_selection import KFold, ShuffleSplit, train_test_split

      X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
      clf = RandomForestClassifier(n_estimators=100, random_state=0)
      cv = KFold(n_splits=5, shuffle=True, random_state=0)
      old_cv = KFold(5, True, 0)
      splits = ShuffleSplit(10, 0.2, None, 0)
      rng = np.random.default_rng(0)
      legacy = np.random.RandomState(seed=1)
    `,
    // Configurations that draw no random numbers: no shuffling, deterministic solvers, given inits.
    py`
      from sklearn.cluster import KMeans
      from sklearn.covariance import EllipticEnvelope
      from sklearn.datasets import make_circles
      from sklearn.decomposition import PCA
      from sklearn.dummy import DummyClassifier
      from sklearn.linear_model import Lasso, LogisticRegression, Ridge
      from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
      from sklearn.svm import SVC, LinearSVC

      LogisticRegression(max_iter=1000)
      LogisticRegression(solver="lbfgs")
      Ridge(alpha=1.0)
      Lasso(alpha=0.1)
      SVC(kernel="rbf")
      LinearSVC()
      PCA(n_components=2)
      KFold(5)
      StratifiedKFold(n_splits=5, shuffle=False)
      train_test_split(X, y, shuffle=False)
      KMeans(init=pca.components_, n_clusters=10, n_init=1)
      make_circles(n_samples=100, shuffle=False)
      EllipticEnvelope(support_fraction=1.0)
      DummyClassifier(strategy="most_frequent")
    `,
    // A seed that may come through `**params`, or `*args`, is not reported.
    py`
      from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier

      params = load_params()
      clf = RandomForestClassifier(**params)
      reg = GradientBoostingRegressor(**{"n_estimators": 100, "random_state": 0})
    `,
    // NumPy seeded globally: scikit-learn and `datasets` draw from the seeded global generator.
    py`
      import numpy as np
      from datasets import load_dataset
      from sklearn.model_selection import train_test_split

      np.random.seed(0)
      X_train, X_test = train_test_split(X, test_size=0.5)
      train = load_dataset("imdb", split="train").shuffle()
    `,
    // transformers.set_seed and a project's own seeding helper seed NumPy too.
    py`
      from sklearn.ensemble import RandomForestClassifier
      from transformers import set_seed

      set_seed(42)
      clf = RandomForestClassifier()
    `,
    py`
      from sklearn.cluster import KMeans

      from utils import seed_everything

      seed_everything(7)
      km = KMeans(n_clusters=3)
    `,
    // Bagging and AdaBoost seed the estimators they are built from.
    py`
      from sklearn.ensemble import AdaBoostClassifier, BaggingRegressor
      from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

      ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), random_state=0)
      bag = BaggingRegressor(estimator=DecisionTreeRegressor(), random_state=0)
    `,
    // Estimators seeded after construction, by name or by a function that seeds what it is given
    // (scikit-learn's plot_sgd_early_stopping and plot_document_clustering examples).
    py`
      from sklearn.cluster import KMeans
      from sklearn.linear_model import SGDClassifier

      def fit_and_score(estimator, X, y):
          estimator.set_params(random_state=0)
          return estimator.fit(X, y).score(X, y)

      estimators = {"sgd": SGDClassifier(n_iter_no_change=3), "km": KMeans(n_clusters=3)}
      for name, estimator in estimators.items():
          fit_and_score(estimator, X, y)
    `,
    py`
      from sklearn.ensemble import RandomForestClassifier

      clf = RandomForestClassifier()
      clf.set_params(random_state=0)
    `,
    // scikit-learn's estimator checks seed the estimators they check (release highlights 0.22).
    py`
      from sklearn.tree import DecisionTreeRegressor
      from sklearn.utils.estimator_checks import parametrize_with_checks

      @parametrize_with_checks([DecisionTreeRegressor()])
      def test_sklearn_compatible_estimator(estimator, check):
          check(estimator)
    `,
    // A library's fallback when its caller passes no seed (scipy's svds).
    py`
      import numpy as np

      def svds(A, k, rng=None):
          if rng is None:
              rng = np.random.default_rng()
          return solve(A, k, rng)

      def sample(n, seed=None):
          rng = np.random.default_rng() if seed is None else np.random.default_rng(seed)
          return rng.random(n)
    `,
    // Other libraries' shuffles: tf.data, pandas, the standard library.
    py`
      import random

      import tensorflow as tf

      ds = tf.data.Dataset.from_tensor_slices(x).shuffle(1000)
      rows = df.sample(frac=1.0)
      random.shuffle(items)
    `,
    // Hugging Face datasets shuffled with a seed, by keyword or by position.
    py`
      from datasets import load_dataset

      ds = load_dataset("imdb")
      ds = ds.map(tokenize)
      train = ds["train"].shuffle(seed=42)
      valid = ds["test"].shuffle(42)
      parts = ds["train"].train_test_split(test_size=0.1, seed=42)
    `,
    // Names that only look like scikit-learn: a local class, another library.
    py`
      from mylib.cluster import KMeans

      class RandomForestClassifier:
          pass

      model = RandomForestClassifier()
      km = KMeans(n_clusters=3)
    `,
    // Strings, comments and dead code.
    py`
      from sklearn.model_selection import train_test_split

      HELP = "split with train_test_split(X, y)"
      # train_test_split(X, y)
      if False:
          train_test_split(X, y)
    `,
    // Tests are out of scope.
    {
      code: 'from sklearn.model_selection import train_test_split\n\ntrain_test_split(X, y)\n',
      filename: 'tests/test_split.py',
    },
    // Notebook: NumPy seeded in the first cell covers the split in a later cell.
    {
      filename: 'nb.ipynb',
      code: 'import numpy as np\nfrom sklearn.model_selection import train_test_split\nnp.random.seed(0)\n# %%\nX_train, X_test = train_test_split(X)\n',
    },
  ],
  invalid: [
    // train_test_split without a seed: the seed is added as the last keyword.
    {
      code: py`
        from sklearn.model_selection import train_test_split

        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
      `,
      highlights: ['train_test_split'],
      messages: [
        'train_test_split(...) without random_state: the split differs on every run; pass random_state=42',
      ],
      severities: ['warning'],
      output: py`
        from sklearn.model_selection import train_test_split

        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
      `,
    },
    // Through an import alias and a module import; an empty argument list.
    {
      code: py`
        from sklearn import ensemble
        from sklearn.ensemble import RandomForestClassifier as RF

        clf = RF(n_estimators=100)
        reg = ensemble.GradientBoostingRegressor()
      `,
      highlights: ['RF', 'ensemble.GradientBoostingRegressor'],
      messages: [
        'RandomForestClassifier(...) without random_state: the fitted model differs',
        'GradientBoostingRegressor(...) without random_state',
      ],
      output: py`
        from sklearn import ensemble
        from sklearn.ensemble import RandomForestClassifier as RF

        clf = RF(n_estimators=100, random_state=42)
        reg = ensemble.GradientBoostingRegressor(random_state=42)
      `,
    },
    // An explicit None is replaced.
    {
      code: py`
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=8, random_state=None)
      `,
      highlights: ['random_state=None'],
      messages: ['KMeans(...) with random_state=None'],
      output: py`
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=8, random_state=42)
      `,
    },
    // The project's seed constant is reused; in a function, its `random_state` parameter is.
    {
      code: py`
        from sklearn.ensemble import ExtraTreesRegressor
        from sklearn.neural_network import MLPClassifier

        SEED = 7

        mlp = MLPClassifier(hidden_layer_sizes=(64,))

        def build(random_state=None):
            return ExtraTreesRegressor(n_estimators=50)
      `,
      highlights: ['MLPClassifier', 'ExtraTreesRegressor'],
      messages: ['pass random_state=SEED', 'pass random_state=random_state'],
      output: py`
        from sklearn.ensemble import ExtraTreesRegressor
        from sklearn.neural_network import MLPClassifier

        SEED = 7

        mlp = MLPClassifier(hidden_layer_sizes=(64,), random_state=SEED)

        def build(random_state=None):
            return ExtraTreesRegressor(n_estimators=50, random_state=random_state)
      `,
    },
    // A seed constant bound after a module-level call is not defined yet there: the value is used.
    {
      code: py`
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=500)
        RANDOM_STATE = 3
      `,
      highlights: ['make_classification'],
      messages: ['the data set differs on every run; pass random_state=42'],
      output: py`
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=500, random_state=42)
        RANDOM_STATE = 3
      `,
    },
    // The configured seed-value.
    {
      code: py`
        from sklearn.manifold import TSNE

        emb = TSNE(n_components=2).fit_transform(X)
      `,
      config: { 'seed-value': 1234 },
      highlights: ['TSNE'],
      output: py`
        from sklearn.manifold import TSNE

        emb = TSNE(n_components=2, random_state=1234).fit_transform(X)
      `,
    },
    // Arguments on their own lines: the seed gets its own line at their indentation.
    {
      code: py`
        from sklearn.ensemble import HistGradientBoostingRegressor

        model = HistGradientBoostingRegressor(
            max_iter=300,
            learning_rate=0.05,
        )
      `,
      highlights: ['HistGradientBoostingRegressor'],
      output: py`
        from sklearn.ensemble import HistGradientBoostingRegressor

        model = HistGradientBoostingRegressor(
            max_iter=300,
            learning_rate=0.05,
            random_state=42,
        )
      `,
    },
    // Arguments on one continuation line: the seed joins them there.
    {
      code: py`
        from sklearn.linear_model import SGDRegressor

        reg = SGDRegressor(
            penalty="elasticnet", alpha=0.01, l1_ratio=0.25
        )
      `,
      highlights: ['SGDRegressor'],
      output: py`
        from sklearn.linear_model import SGDRegressor

        reg = SGDRegressor(
            penalty="elasticnet", alpha=0.01, l1_ratio=0.25, random_state=42
        )
      `,
    },
    // Shuffling splitters, and estimators configured to be random.
    {
      code: py`
        from sklearn.decomposition import PCA
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold
        from sklearn.svm import SVC

        SOLVER = "saga"
        cv = KFold(n_splits=5, shuffle=True)
        skf = StratifiedKFold(5, True)
        ss = ShuffleSplit(n_splits=3, test_size=0.25)
        lr = LogisticRegression(solver=SOLVER)
        svc = SVC(probability=True)
        pca = PCA(n_components=50, svd_solver="randomized")
      `,
      highlights: ['KFold', 'StratifiedKFold', 'ShuffleSplit', 'LogisticRegression', 'SVC', 'PCA'],
      messages: ['the split', 'the split', 'the split', 'the fitted model', 'the fitted model'],
      output: py`
        from sklearn.decomposition import PCA
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold
        from sklearn.svm import SVC

        SOLVER = "saga"
        cv = KFold(n_splits=5, shuffle=True, random_state=42)
        skf = StratifiedKFold(5, True, random_state=42)
        ss = ShuffleSplit(n_splits=3, test_size=0.25, random_state=42)
        lr = LogisticRegression(solver=SOLVER, random_state=42)
        svc = SVC(probability=True, random_state=42)
        pca = PCA(n_components=50, svd_solver="randomized", random_state=42)
      `,
    },
    // A literal `**params` dict without a seed still leaves the call unseeded.
    {
      code: py`
        from sklearn.ensemble import GradientBoostingRegressor

        params = {"n_estimators": 500, "max_depth": 4}
        reg = GradientBoostingRegressor(**params)
      `,
      highlights: ['GradientBoostingRegressor'],
      output: py`
        from sklearn.ensemble import GradientBoostingRegressor

        params = {"n_estimators": 500, "max_depth": 4}
        reg = GradientBoostingRegressor(**params, random_state=42)
      `,
    },
    // An unseeded ensemble is reported once; seeding it seeds the tree it is built from.
    {
      code: py`
        from sklearn.ensemble import AdaBoostClassifier
        from sklearn.tree import DecisionTreeClassifier

        ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=300)
      `,
      highlights: ['AdaBoostClassifier'],
      output: py`
        from sklearn.ensemble import AdaBoostClassifier
        from sklearn.tree import DecisionTreeClassifier

        ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=300, random_state=42)
      `,
    },
    // make_moons adds noise even without shuffling.
    {
      code: py`
        from sklearn.datasets import make_moons

        X, y = make_moons(n_samples=200, noise=0.1, shuffle=False)
      `,
      highlights: ['make_moons'],
      output: py`
        from sklearn.datasets import make_moons

        X, y = make_moons(n_samples=200, noise=0.1, shuffle=False, random_state=42)
      `,
    },
    // Unseeded NumPy generators, reported even when the global generator is seeded.
    {
      code: py`
        import numpy as np
        from numpy.random import default_rng

        np.random.seed(0)
        rng = np.random.default_rng()
        legacy = np.random.RandomState()
        other = default_rng(None)
      `,
      highlights: ['np.random.default_rng', 'np.random.RandomState', 'None'],
      messages: [
        'np.random.default_rng() without a seed: the random stream differs on every run; seed it with 42',
        'np.random.RandomState() without a seed',
        'np.random.default_rng() with seed=None',
      ],
      output: py`
        import numpy as np
        from numpy.random import default_rng

        np.random.seed(0)
        rng = np.random.default_rng(42)
        legacy = np.random.RandomState(42)
        other = default_rng(42)
      `,
    },
    // Hugging Face datasets: followed through rebinding, methods and subscripts.
    {
      code: py`
        from datasets import load_dataset

        ds = load_dataset("imdb")
        ds = ds.map(tokenize, batched=True)
        train = ds["train"].shuffle()
        parts = ds["train"].train_test_split(test_size=0.1)
      `,
      highlights: ['ds["train"].shuffle', 'ds["train"].train_test_split'],
      messages: [
        'Dataset.shuffle(...) without seed: the order of the examples differs on every run; pass seed=42',
        'Dataset.train_test_split(...) without seed',
      ],
      output: py`
        from datasets import load_dataset

        ds = load_dataset("imdb")
        ds = ds.map(tokenize, batched=True)
        train = ds["train"].shuffle(seed=42)
        parts = ds["train"].train_test_split(test_size=0.1, seed=42)
      `,
    },
    // Inside a loop a constant seed would make every repetition identical: reported, no fix.
    {
      code: py`
        from sklearn.model_selection import train_test_split

        scores = []
        for _ in range(10):
            X_train, X_test, y_train, y_test = train_test_split(X, y)
            scores.append(evaluate(X_train, X_test, y_train, y_test))
      `,
      highlights: ['train_test_split'],
    },
    // Notebook: a hint under the default exploration profile; the import is in another cell.
    {
      filename: 'nb.ipynb',
      code: 'from sklearn.ensemble import RandomForestClassifier\n# %%\nclf = RandomForestClassifier()\n',
      highlights: ['RandomForestClassifier'],
      severities: ['hint'],
      output:
        'from sklearn.ensemble import RandomForestClassifier\n# %%\nclf = RandomForestClassifier(random_state=42)\n',
    },
    // Notebook under the production profile: a warning.
    {
      filename: 'nb.ipynb',
      config: { profile: 'production' },
      code: 'from sklearn.cluster import MiniBatchKMeans\n# %%\nkm = MiniBatchKMeans(n_clusters=4)\n',
      highlights: ['MiniBatchKMeans'],
      severities: ['warning'],
      output:
        'from sklearn.cluster import MiniBatchKMeans\n# %%\nkm = MiniBatchKMeans(n_clusters=4, random_state=42)\n',
    },
  ],
});
