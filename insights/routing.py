"""Routing suggestions: which unit should handle a demand, and which category it is,
learned from this installation's own dispatch history.

The pipeline (``build_pipeline``) is the one thing both training and
``manage.py evaluate_routing`` use:

* text = ``demand_text(title, content)``: the title on the first line, then the content;
* features = jieba words (``lib.chinese.words``) and character 1–3-grams of the
  normalised text, each TF-IDF weighted (sublinear tf), and the same two over the title
  alone (``title_part``; the first sentence when there is no title) at weight 0.4 —
  the title is the densest signal, long contents no longer drown it;
* classifier = a linear SVM, classes balanced (``C=0.2``), whose scores become
  probabilities by temperature scaling fitted on 3-fold out-of-fold scores
  (``CalibratedClassifierCV(method="temperature", ensemble=False)``): the SVM's ranking,
  calibrated confidences for the console's percentages and for auto-assignment.

Measured on ``tests/fixtures/routing_eval.csv`` (586 hand-written hotline and
message-board texts, 15 overlapping categories), 5 stratified folds: macro-F1 0.939 ±
0.026 against 0.899 ± 0.029 for the plain baseline (``build_baseline``: character
1–3-gram TF-IDF + LinearSVC) and 0.847 ± 0.019 for the previous pipeline (words and
character 2–3-grams with ``min_df=2``, SGD on the logistic loss); mean confidence 0.97
for an accuracy of 0.94. On 20,000 bench demands a training (5-fold CV + final fit) takes
about 1.5× the previous pipeline's time (docs/benchmarks.md): the SVM and its
calibration folds run on features already computed, and jieba segmentation still
dominates.

Two targets (``RoutingTarget``): the unit — label = the unit that accepted the demand
(``accepted_at`` is cleared by a return or a transfer, so a demand with ``accepted_at``
set is still with the unit that signed for it) — and the category — label = the leaf
category of a demand that went through dispatch. Merged and invalid demands teach
nothing.

Each training writes a new ``RoutingModel`` version with its cross-validated figures.
With too little history the version is saved ``usable=False`` with a Chinese message
and ``suggest`` returns nothing: the console says so instead of guessing.
"""

from __future__ import annotations

# scikit-learn, numpy and joblib are imported where they are used: every process (each
# manage.py command, the web workers, the Celery worker) loads this module through the
# URLconf or the signal listeners, and the import costs two to five seconds.
import io
import logging
import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from demands.models import Demand, State
from lib import chinese
from org.models import Unit

from .models import RoutingModel, RoutingTarget

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)

# Vocabulary caps keep the stored model (coefficients: features × classes) to a few tens
# of megabytes at most, whatever the history holds.
MAX_WORD_FEATURES = 50_000
MAX_CHAR_FEATURES = 100_000
MAX_TITLE_WORD_FEATURES = 10_000
MAX_TITLE_CHAR_FEATURES = 20_000
# How much the title's own features count beside those of the whole text (measured on
# tests/fixtures/routing_eval.csv, 0.3–0.5 equally good; 1.0 drowns the content).
TITLE_WEIGHT = 0.4
# The SVM's regularisation (smaller = smoother): 0.2–0.35 best on the evaluation set.
SVM_C = 0.2
# Folds of the calibration's own cross-validation, lowered for a rarer class; a class
# needs at least MIN_CLASS_ROWS examples so that every training fold of a cross-validation
# still holds two of it.
CALIBRATION_FOLDS = 3
MIN_CLASS_ROWS = 4
# Where the title ends in ``demand_text``: titles are one line, contents may have many.
TITLE_END = "\n"
SENTENCE_END_RE = re.compile(r"[。！？!?；;\n]")
LEAD_CHARACTERS = 30
TEACHLESS_STATES = (State.MERGED, State.INVALID)


def demand_text(title: str, content: str) -> str:
    """The text the models read: the title on the first line, then the content. The
    pipeline reads the title a second time on its own (``title_part``): it is the
    densest signal. Without a title the first line is empty."""
    title = " ".join((title or "").split())
    return f"{title}{TITLE_END}{(content or '').strip()}"


def title_part(texts) -> list[str]:
    """The title of each ``demand_text``: its first line; for a text without a title
    (an export with only a content column, an older caller's text) the first sentence of
    the content, at most ``LEAD_CHARACTERS`` long, which plays the same part.
    (Module level: the stored pipeline refers to it by name.)"""
    out = []
    for text in texts:
        title, _end, content = text.partition(TITLE_END) if TITLE_END in text \
            else ("", "", text)
        if not title.strip():
            title = SENTENCE_END_RE.split(content.strip(), maxsplit=1)[0][:LEAD_CHARACTERS]
        out.append(title)
    return out


def char_text(text: str) -> str:
    """The runs of Han characters and of Latin letters/digits, space-separated, so the
    character n-grams never straddle punctuation. (Module level: the stored pipeline
    refers to it by name.)"""
    return " ".join(chinese.RUN_RE.findall(chinese.normalise(text)))


def build_pipeline() -> Pipeline:
    """The routing pipeline, unfitted: ``demand_text`` in, class probabilities out."""
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.svm import LinearSVC

    def words(max_features: int, min_df: int) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer=chinese.words, sublinear_tf=True, min_df=min_df,
                               max_features=max_features, dtype=np.float32)

    def chars(max_features: int, min_df: int) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer="char_wb", preprocessor=char_text,
                               ngram_range=(1, 3), sublinear_tf=True, min_df=min_df,
                               max_features=max_features, dtype=np.float32)

    def on_title(vectorizer: TfidfVectorizer) -> Pipeline:
        return Pipeline([("title", FunctionTransformer(title_part)),
                         ("vectorizer", vectorizer)])

    features = FeatureUnion(
        [("words", words(MAX_WORD_FEATURES, 1)),
         ("chars", chars(MAX_CHAR_FEATURES, 1)),
         ("title_words", on_title(words(MAX_TITLE_WORD_FEATURES, 1))),
         ("title_chars", on_title(chars(MAX_TITLE_CHAR_FEATURES, 1)))],
        transformer_weights={"title_words": TITLE_WEIGHT, "title_chars": TITLE_WEIGHT})
    # One linear SVM on all the texts; its scores become probabilities through a softmax
    # at a temperature fitted on 3-fold out-of-fold scores (ensemble=False): the ranking
    # is the SVM's, the confidences are calibrated.
    classifier = CalibratedClassifierCV(
        LinearSVC(C=SVM_C, class_weight="balanced"), method="temperature", cv=3,
        ensemble=False)
    return Pipeline([("features", features), ("classifier", classifier)])


def fit_pipeline(pipeline: Pipeline, texts: list[str], labels: list, *,
                 calibrate: bool = True) -> Pipeline:
    """Fit a pipeline of ``build_pipeline()`` (or the baseline): the calibration's folds
    lowered to the rarest class's count (at least two). ``calibrate=False`` fits the SVM
    alone — the same predicted classes (temperature scaling keeps the ranking) at a
    quarter of the classifier's cost, which is all a cross-validation needs."""
    classifier = pipeline.named_steps["classifier"]
    if not hasattr(classifier, "cv"):
        return pipeline.fit(texts, labels)
    if not calibrate:
        from sklearn.base import clone

        pipeline.set_params(classifier=clone(classifier.estimator))
        return pipeline.fit(texts, labels)
    rarest = min(Counter(labels).values())
    pipeline.set_params(classifier__cv=max(2, min(CALIBRATION_FOLDS, rarest)))
    if all(isinstance(label, str) for label in labels):
        return pipeline.fit(texts, labels)
    # scikit-learn 1.9's temperature scaling takes labels that are not strings for column
    # numbers (unit and category ids are not 0…k-1): it learns from the labels as text,
    # and answers with the original labels, in the same column order.
    import numpy as np

    originals = {str(label): label for label in labels}
    pipeline = pipeline.fit(texts, [str(label) for label in labels])
    classifier = pipeline.named_steps["classifier"]
    classifier.classes_ = np.array([originals[str(label)] for label in classifier.classes_])
    return pipeline


def build_baseline() -> Pipeline:
    """The plain baseline ``evaluate_routing`` measures the model against: character
    1–3-grams, TF-IDF, a linear SVM, every setting scikit-learn's default."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    return Pipeline([("features", TfidfVectorizer(analyzer="char", ngram_range=(1, 3))),
                     ("classifier", LinearSVC())])


def _vectorizers(pipeline: Pipeline):
    for _name, step in pipeline.named_steps["features"].transformer_list:
        yield step.named_steps["vectorizer"] if hasattr(step, "named_steps") else step


def _slim(pipeline: Pipeline) -> Pipeline:
    """Drop what prediction does not need before the pipeline is stored: the vectorisers'
    list of discarded terms (can be larger than the vocabulary), and float64 weights."""
    import numpy as np

    for vectorizer in _vectorizers(pipeline):
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
    for calibrated in pipeline.named_steps["classifier"].calibrated_classifiers_:
        calibrated.estimator.coef_ = calibrated.estimator.coef_.astype(np.float32)
    return pipeline


# --- evaluation (shared by training and evaluate_routing) ------------------------------
@dataclass
class Evaluation:
    folds: int
    accuracy: float
    macro_f1: float  # of all folds' predictions pooled
    # label → (precision, recall, f1, support), in order of support, largest first
    per_class: dict
    fold_macro_f1: list = field(default_factory=list)  # each fold's own macro-F1

    @property
    def mean(self) -> float:
        return statistics.fmean(self.fold_macro_f1)

    @property
    def std(self) -> float:
        """Population standard deviation over the folds (numpy's default)."""
        return statistics.pstdev(self.fold_macro_f1)


def splits(labels: list, folds: int) -> list:
    """The stratified folds every evaluation uses: (learn, held-out) index arrays."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    return list(splitter.split(np.zeros(len(labels)), labels))


def cross_validate(texts: list[str], labels: list, folds: int,
                   make=None, folds_of=None) -> Evaluation:
    """Stratified k-fold cross-validation of ``make()`` (``build_pipeline()`` unless
    given) on the folds of ``splits`` (or ``folds_of``). Every class must have at least
    ``folds`` members (the callers see to it)."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    make = make or build_pipeline
    classes = [label for label, _count in Counter(labels).most_common()]
    truth = np.asarray(labels, dtype=object)
    predicted = np.empty(len(labels), dtype=object)
    fold_scores = []
    for learn, held in folds_of or splits(labels, folds):
        model = fit_pipeline(make(), [texts[i] for i in learn], [labels[i] for i in learn],
                             calibrate=False)
        predicted[held] = model.predict([texts[i] for i in held])
        fold_scores.append(float(f1_score(
            list(truth[held]), list(predicted[held]), labels=classes, average="macro",
            zero_division=0)))
    truth, predicted = list(truth), list(predicted)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0)
    return Evaluation(
        folds=folds,
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, labels=classes, average="macro",
                                zero_division=0)),
        per_class={label: (float(p), float(r), float(f), int(s))
                   for label, p, r, f, s in zip(classes, precision, recall, f1, support,
                                                strict=True)},
        fold_macro_f1=fold_scores)


@dataclass
class Comparison:
    """The model and the baseline on the same folds."""

    model: Evaluation
    baseline: Evaluation

    @property
    def margin(self) -> float:
        return self.model.mean - self.baseline.mean

    @property
    def spread(self) -> float:
        """The fold-to-fold spread the margin must exceed: the larger of the two
        standard deviations over the folds."""
        return max(self.model.std, self.baseline.std)

    @property
    def differences(self) -> list[float]:
        """Model minus baseline, fold by fold."""
        return [m - b for m, b in zip(self.model.fold_macro_f1,
                                      self.baseline.fold_macro_f1, strict=True)]

    @property
    def model_wins(self) -> bool:
        return self.margin > self.spread


def compare(texts: list[str], labels: list, folds: int) -> Comparison:
    """``build_pipeline()`` and ``build_baseline()`` cross-validated on the same folds."""
    folds_of = splits(labels, folds)
    return Comparison(cross_validate(texts, labels, folds, folds_of=folds_of),
                      cross_validate(texts, labels, folds, make=build_baseline,
                                     folds_of=folds_of))


# --- history ---------------------------------------------------------------------------
def history(target: str, limit: int | None = None) -> tuple[list[str], list[int]]:
    """(texts, labels) of the most recent ``limit`` demands that teach ``target``: labels
    are unit ids (the accepting unit) or leaf category ids (dispatched demands)."""
    limit = limit or settings.ROUTING_MAX_SAMPLES
    queryset = Demand.objects.exclude(state__in=TEACHLESS_STATES)
    if target == RoutingTarget.UNIT:
        queryset = queryset.filter(accepted_at__isnull=False)
        label = "current_unit_id"
    elif target == RoutingTarget.CATEGORY:
        queryset = queryset.filter(dispatched_at__isnull=False)
        label = "category_id"
    else:
        raise ValueError(f"unknown routing target {target!r}")
    rows = queryset.order_by("-submitted_at", "-id").values_list("title", "content",
                                                                 label)[:limit]
    texts, labels = [], []
    for title, content, value in rows.iterator(chunk_size=5000):
        texts.append(demand_text(title, content))
        labels.append(value)
    return texts, labels


def label_names(target: str, labels) -> dict[int, str]:
    """Display names of unit or category ids."""
    labels = list(labels)
    if target == RoutingTarget.UNIT:
        return {u.pk: u.name for u in Unit.objects.filter(pk__in=labels)}
    return {c.pk: str(c) for c in Category.objects.filter(pk__in=labels)
            .select_related("parent")}


def _next_version(target: str) -> int:
    latest = RoutingModel.objects.filter(target=target).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def _save(target: str, **fields) -> RoutingModel:
    """Store a new version; two trainings finishing at once each get their own number.
    This process uses a new usable version at once (others within CHECK_SECONDS)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                model = RoutingModel.objects.create(target=target,
                                                    version=_next_version(target), **fields)
        except IntegrityError:
            continue
        forget(target)
        return model
    raise RuntimeError("could not allocate a routing model version")  # pragma: no cover


def _limited(names: list[str], most: int = 8) -> str:
    shown = "、".join(names[:most])
    return shown if len(names) <= most else f"{shown} 等 {len(names)} 类"


def train(target: str, *, at=None, limit: int | None = None) -> RoutingModel:
    """Learn ``target`` from the history and store the result as a new version.

    Refuses (a version with ``usable=False`` and a Chinese message, no model) when there
    are fewer than ``ROUTING_MIN_SAMPLES`` demands, or fewer than two classes with at
    least ``ROUTING_MIN_PER_CLASS`` demands each. Rarer classes are left out of the model
    and listed (``per_class`` rows with ``dropped``)."""
    started = time.perf_counter()
    at = at or timezone.now()
    minimum = settings.ROUTING_MIN_SAMPLES
    per_class_minimum = max(settings.ROUTING_MIN_PER_CLASS, MIN_CLASS_ROWS)
    texts, labels = history(target, limit)
    counts = Counter(labels)
    names = label_names(target, counts)
    kept = {label for label, count in counts.items() if count >= per_class_minimum}
    dropped = sorted((label for label in counts if label not in kept),
                     key=lambda label: -counts[label])
    dropped_rows = [{"label": label, "name": names.get(label, str(label)),
                     "support": counts[label], "dropped": True} for label in dropped]
    what = "派遣" if target == RoutingTarget.CATEGORY else "签收"

    def refuse(message: str) -> RoutingModel:
        return _save(target, trained_at=at, samples=len(labels), classes=len(kept),
                     usable=False, message=message[:300], per_class=dropped_rows,
                     seconds=time.perf_counter() - started)

    if len(labels) < minimum:
        return refuse(f"历史{what}记录不足：仅 {len(labels)} 条（至少需要 {minimum} 条），"
                      f"暂不提供建议。")
    if len(kept) < 2:
        return refuse(f"历史{what}记录中达到 {per_class_minimum} 条的"
                      f"{RoutingTarget(target).label}不足两个，无从比较，暂不提供建议。")
    if dropped:
        pairs = [(text, label) for text, label in zip(texts, labels, strict=True)
                 if label in kept]
        texts, labels = [p[0] for p in pairs], [p[1] for p in pairs]
    if len(labels) < minimum:
        return refuse(f"历史{what}记录不足：去除样本过少的类别后仅 {len(labels)} 条"
                      f"（至少需要 {minimum} 条），暂不提供建议。")

    folds = max(2, min(settings.ROUTING_CV_FOLDS, min(counts[label] for label in kept)))
    if not _anything_shared(texts):
        return refuse(f"历史{what}记录的文字太少或彼此毫无共同之处，无法学习，暂不提供建议。")
    try:
        evaluation = cross_validate(texts, labels, folds)
        pipeline = _slim(fit_pipeline(build_pipeline(), texts, labels))
    except ValueError as error:  # e.g. no word or n-gram occurs twice: nothing to learn
        log.warning("routing %s: nothing to learn: %s", target, error)
        return refuse(f"历史{what}记录的文字太少或彼此毫无共同之处，无法学习，暂不提供建议。")
    import joblib

    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    per_class = [{"label": label, "name": names.get(label, str(label)),
                  "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                  "support": s}
                 for label, (p, r, f, s) in evaluation.per_class.items()]
    message = ""
    if dropped:
        message = f"以下{RoutingTarget(target).label}样本少于 {per_class_minimum} 条，" \
                  f"未参与训练：{_limited([row['name'] for row in dropped_rows])}。"
    return _save(target, trained_at=at, samples=len(labels), classes=len(kept), usable=True,
                 message=message[:300], accuracy=evaluation.accuracy,
                 macro_f1=evaluation.macro_f1, per_class=per_class + dropped_rows,
                 blob=buffer.getvalue(), seconds=time.perf_counter() - started)


def _anything_shared(texts: list[str]) -> bool:
    """Whether any character occurs in two of the texts (else nothing can be learnt that
    applies to a new text; stops at the first shared one)."""
    seen: set[str] = set()
    for text in texts:
        characters = set(char_text(text).replace(" ", ""))
        if seen & characters:
            return True
        seen |= characters
    return False


def train_all(at=None) -> list[RoutingModel]:
    return [train(target, at=at) for target in RoutingTarget.values]


# --- suggestions -----------------------------------------------------------------------
# How long a process trusts what it knows of the newest version (and of which units and
# categories are active) before asking the database again: suggestions cost no query in
# between, and a new version reaches every web process within this time.
CHECK_SECONDS = 30.0
# The softmax of a large score rounds to 1.0 in floating point; a model is never certain,
# and a threshold of 1 (``ROUTING_AUTO_DISPATCH_CONFIDENCE``) means "never".
MAX_CONFIDENCE = 0.999
# A text whose words the model has mostly never seen is outside its experience, however
# its scores fall: the softmax of a linear model still names one class with near
# certainty (on a small, cleanly separated history the fitted temperature is tiny, and
# "请问你们几点下班" came out 99.9% 市政设施). The confidence is capped at twice the share
# of the text's words the model knows: no effect from half the words on, none at all
# when it knows none. Ranking is unchanged.
FAMILIAR_SHARE = 0.5


@dataclass
class _InUse:
    version: int | None
    pipeline: Pipeline | None
    objects: dict  # class label → active Unit or Category
    checked: float  # time.monotonic()


_in_use: dict[str, _InUse] = {}
_loaded: dict[tuple[str, int], Pipeline] = {}
_loading = threading.Lock()


def current(target: str) -> RoutingModel | None:
    """The newest usable version of ``target`` (without its blob), or None."""
    return (RoutingModel.objects.filter(target=target, usable=True).defer("blob")
            .order_by("-version").first())


def latest(target: str) -> RoutingModel | None:
    """The newest version, usable or not (its message says why not)."""
    return RoutingModel.objects.filter(target=target).defer("blob").order_by("-version").first()


def _load(target: str, version: int) -> Pipeline | None:
    """The fitted pipeline of one version, unpickled once per process."""
    key = (target, version)
    pipeline = _loaded.get(key)
    if pipeline is not None:
        return pipeline
    with _loading:
        pipeline = _loaded.get(key)
        if pipeline is None:
            blob = RoutingModel.objects.filter(target=target, version=version) \
                .values_list("blob", flat=True).first()
            import joblib

            try:
                pipeline = joblib.load(io.BytesIO(bytes(blob)))
            except Exception:  # a model stored by an incompatible code version
                log.exception("routing model %s v%s cannot be loaded", target, version)
                return None
            for old in [k for k in _loaded if k[0] == target]:
                del _loaded[old]  # an older version is not used again
            _loaded[key] = pipeline
    return pipeline


def _objects(target: str, labels) -> dict:
    model = Unit if target == RoutingTarget.UNIT else Category
    return {obj.pk: obj for obj in model.objects.filter(pk__in=[int(x) for x in labels],
                                                         is_active=True)}


def _model(target: str) -> _InUse:
    """The newest usable version of ``target`` as this process knows it."""
    now = time.monotonic()
    known = _in_use.get(target)
    if known is not None and now - known.checked < CHECK_SECONDS:
        return known
    version = (RoutingModel.objects.filter(target=target, usable=True)
               .order_by("-version").values_list("version", flat=True).first())
    pipeline = _load(target, version) if version is not None else None
    if pipeline is None:
        known = _InUse(None, None, {}, now)
    else:
        known = _InUse(version, pipeline, _objects(target, pipeline.classes_), now)
    _in_use[target] = known
    return known


def forget(target: str | None = None) -> None:
    """Forget what this process knows of the models in use (all, or one target's)."""
    if target is None:
        _in_use.clear()
        _loaded.clear()
    else:
        _in_use.pop(target, None)


def _ranked(texts: list[str], target: str, k: int):
    import numpy as np

    model = _model(target)
    if model.pipeline is None or not texts:
        return [[] for _text in texts], model.version
    probabilities = model.pipeline.predict_proba(texts)
    classes = [int(label) for label in model.pipeline.classes_]
    objects = model.objects
    # a few spare candidates, in case some were deactivated
    top = np.argsort(-probabilities, axis=1)[:, :k + 3]
    out = []
    for text, row, ranked in zip(texts, probabilities, top, strict=True):
        cap = min(MAX_CONFIDENCE, familiarity(model.pipeline, text) / FAMILIAR_SHARE)
        picks = [(objects[classes[i]], min(float(row[i]), cap)) for i in ranked
                 if classes[i] in objects]
        out.append(picks[:k])
    return out, model.version


def familiarity(pipeline: Pipeline, text: str) -> float:
    """The share of the text's words (jieba, stop words left out) that the fitted
    pipeline's word vocabulary holds; 0 for a text without words."""
    vocabulary = _word_vocabulary(pipeline)
    words = chinese.words(text)
    if not words:
        return 0.0
    return sum(word in vocabulary for word in words) / len(words)


def _word_vocabulary(pipeline: Pipeline):
    for name, step in pipeline.named_steps["features"].transformer_list:
        if name == "words":
            return step.vocabulary_
    return {}


def suggest_many(texts: list[str], target: str, k: int = 3) -> list[list[tuple[object, float]]]:
    """For each text, up to ``k`` (unit or category, confidence 0–1), most likely first.
    Units and categories made inactive since the training are skipped. Without a usable
    model every list is empty."""
    return _ranked(texts, target, k)[0]


def suggest(text: str, target: str, k: int = 3) -> list[tuple[object, float]]:
    """Up to ``k`` (unit or category, confidence) for one text, most likely first."""
    return _ranked([text], target, k)[0][0]


def top_suggestions(texts: list[str], target: str) -> list[tuple[object, float, int] | None]:
    """For each text the best (unit or category, confidence, model version), or None —
    what auto-dispatch records."""
    ranked, version = _ranked(texts, target, 1)
    return [(picks[0][0], picks[0][1], version) if picks else None for picks in ranked]


# --- what the console shows at dispatch ------------------------------------------------
def percent(confidence: float) -> str:
    """A confidence as people read it: whole percent, never a flat 0% or 100% (the model
    is never that sure, it only rounds that way)."""
    if confidence >= 0.995:
        return _("99%以上")
    if confidence < 0.005:
        return _("不足1%")
    return _("%(percent)d%%") % {"percent": round(confidence * 100)}


@dataclass
class Advice:
    """Top units and categories for one demand, each (object, confidence, "87%"), or
    why there are none."""

    units: list
    categories: list
    unit_message: str = ""
    category_message: str = ""

    @property
    def any(self) -> bool:
        return bool(self.units or self.categories or self.unit_message
                    or self.category_message)


def refusal(target: str) -> str:
    """Why ``target`` gives no suggestions: the newest version's message, or that no
    model has been trained yet."""
    model = latest(target)
    if model is not None and model.message and not model.usable:
        return model.message
    return _("尚未训练%(target)s分派模型，暂不提供建议。") % {
        "target": RoutingTarget(target).label}


def advice(demand: Demand, k: int = 3) -> Advice:
    text = demand_text(demand.title, demand.content)
    units = [(unit, c, percent(c)) for unit, c in suggest(text, RoutingTarget.UNIT, k)]
    categories = [(category, c, percent(c))
                  for category, c in suggest(text, RoutingTarget.CATEGORY, k)]
    return Advice(units, categories,
                  "" if units or current(RoutingTarget.UNIT) else refusal(RoutingTarget.UNIT),
                  "" if categories or current(RoutingTarget.CATEGORY)
                  else refusal(RoutingTarget.CATEGORY))
